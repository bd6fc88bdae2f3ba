/**
 * CPU time (user + system) this process spent running `work`, in seconds. The linear-time properties
 * compare two such figures from one run; CPU time, unlike wall time, does not grow when the shared
 * machine's other work takes the cores away from this process, so the ratio stays the code's own.
 */
export async function cpuSeconds(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
