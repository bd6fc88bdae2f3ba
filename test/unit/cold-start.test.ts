import { atColdStart } from '../../shared/wiring/cold-start';

describe('atColdStart', () => {
  it('builds the dependencies once, on first use, and shares them between invocations', async () => {
    let builds = 0;
    const ready = atColdStart(() => ({ build: ++builds }));

    expect(builds).toBe(0);
    const [a, b] = await Promise.all([ready(), ready()]);
    const c = await ready();

    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('does not keep a failed build: the next invocation tries again', async () => {
    let attempts = 0;
    const ready = atColdStart(async () => {
      attempts++;
      if (attempts === 1) throw new Error('Secrets Manager unreachable');
      return 'deps';
    });

    await expect(ready()).rejects.toThrow('Secrets Manager unreachable');
    await expect(ready()).resolves.toBe('deps');
    expect(attempts).toBe(2);
  });
});
