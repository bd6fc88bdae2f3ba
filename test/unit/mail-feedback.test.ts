import { readMailFeedback, sameAddress, SesFeedbackEventSchema } from '../../shared/domain/mail-feedback';
import { sesBounce, sesComplaint, sesEvent } from '../fixtures/ses-feedback';

const AT = '2026-11-04T21:13:59.000Z';
const MESSAGE_ID = '0100019a50c3e1f7-3b9d2e41-6a8c-4f0b-9e2d-7c1a5b4f3e60-000000';
const TAGS = { referralId: 'ref_q7vhyzyrx3vk46vvlx43wiy6gm', organizationId: 'north-star-community-clinic' };

function parse(detailType: 'Email Bounced' | 'Email Complaint Received', detail: unknown) {
  const event = SesFeedbackEventSchema.parse(sesEvent(detailType, detail));
  return readMailFeedback(event.detail, event.time);
}

describe("SES's bounce and complaint events", () => {
  it('read a permanent bounce as hard: the address, lower-cased, the lead it was, and when', () => {
    // Act
    const feedback = parse(
      'Email Bounced',
      sesBounce({ to: 'Leads@North-Star.example.org', messageId: MESSAGE_ID, tags: TAGS, timestamp: AT }),
    );

    // Assess
    expect(feedback).toEqual({
      severity: 'hard',
      reason: 'bounce',
      feedbackType: 'Permanent/NoEmail',
      recipients: ['leads@north-star.example.org'],
      messageId: MESSAGE_ID,
      at: AT,
      referralId: TAGS.referralId,
      organizationId: TAGS.organizationId,
    });
  });

  it.each(['Transient', 'Undetermined'] as const)('read a %s bounce as soft', (bounceType) => {
    // Act
    const feedback = parse('Email Bounced', sesBounce({ to: 'a@example.org', messageId: MESSAGE_ID, bounceType }));

    // Assess
    expect(feedback.severity).toBe('soft');
    expect(feedback.reason).toBe('bounce');
  });

  it('read a complaint as hard, with its feedback type', () => {
    // Act
    const feedback = parse(
      'Email Complaint Received',
      sesComplaint({ to: 'a@example.org', messageId: MESSAGE_ID, timestamp: AT }),
    );

    // Assess
    expect(feedback).toMatchObject({ severity: 'hard', reason: 'complaint', feedbackType: 'abuse', at: AT });
  });

  it('read mail without our tags (a report, a receipt) as no lead', () => {
    // Act
    const feedback = parse('Email Bounced', sesBounce({ to: 'a@example.org', messageId: MESSAGE_ID }));

    // Assess
    expect(feedback.referralId).toBeUndefined();
    expect(feedback.organizationId).toBeUndefined();
  });

  it('take the time from the envelope when SES gives the bounce none, so every delivery agrees', () => {
    // Prepare
    const detail = sesBounce({ to: 'a@example.org', messageId: MESSAGE_ID });
    const { timestamp: _dropped, ...bounce } = detail.bounce;
    const event = { ...sesEvent('Email Bounced', { ...detail, bounce }), time: '2026-11-04T21:14:00Z' };

    // Act
    const parsed = SesFeedbackEventSchema.parse(event);

    // Assess
    expect(readMailFeedback(parsed.detail, parsed.time).at).toBe('2026-11-04T21:14:00.000Z');
  });

  const bounce = () => sesBounce({ to: 'a@example.org', messageId: MESSAGE_ID });
  it.each([
    ['another source', { ...sesEvent('Email Bounced', bounce()), source: 'aws.s3' }],
    ['another detail-type', { ...sesEvent('Email Bounced', bounce()), 'detail-type': 'Email Delivered' }],
    ['a Bounce without its bounce', sesEvent('Email Bounced', { ...bounce(), bounce: undefined })],
    ['no message id', sesEvent('Email Bounced', { ...bounce(), mail: { ...bounce().mail, messageId: undefined } })],
    [
      'no recipient',
      sesEvent('Email Complaint Received', {
        ...sesComplaint({ to: 'a@example.org', messageId: MESSAGE_ID }),
        complaint: { complainedRecipients: [] },
      }),
    ],
  ])('are refused with %s', (_label, event) => {
    // Act
    const parsed = SesFeedbackEventSchema.safeParse(event);

    // Assess
    expect(parsed.success).toBe(false);
  });
});

describe('lead addresses', () => {
  it('compare without regard to case or surrounding spaces', () => {
    expect(sameAddress(' Leads@Example.ORG', 'leads@example.org')).toBe(true);
    expect(sameAddress('leads@example.org', 'leads2@example.org')).toBe(false);
  });
});
