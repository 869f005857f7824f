import {
  DEFAULT_HTTP_POLICY,
  deliveryPolicyProblems,
  effectiveContentType,
  effectivePolicy,
  retryDelays,
} from '../../../local/sns/policy';

// https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
describe('SNS HTTP/S delivery policy', () => {
  it('defaults to three retries 20 s apart (SNS guide: "Set the delivery policy for the Amazon SNS subscription")', () => {
    expect(retryDelays(DEFAULT_HTTP_POLICY)).toEqual([20, 20, 20]);
    expect(retryDelays(effectivePolicy())).toEqual([20, 20, 20]);
  });

  it('runs the phases in order: immediate, pre-backoff (min delay), backoff (min to max), post-backoff (max delay) (SNS guide: "Delivery policy stages")', () => {
    const delays = retryDelays({
      minDelayTarget: 1,
      maxDelayTarget: 60,
      numRetries: 12,
      numNoDelayRetries: 2,
      numMinDelayRetries: 3,
      numMaxDelayRetries: 2,
      backoffFunction: 'exponential',
    });
    expect(delays).toHaveLength(12);
    expect(delays.slice(0, 5)).toEqual([0, 0, 1, 1, 1]);
    const backoff = delays.slice(5, 10);
    expect(backoff.every((delay, index) => index === 0 || delay >= (backoff[index - 1] ?? 0))).toBe(true);
    expect(backoff.at(-1)).toBe(60);
    expect(delays.slice(10)).toEqual([60, 60]);
  });

  it("takes the subscription's healthyRetryPolicy over the topic's http.defaultHealthyRetryPolicy", () => {
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 } } });
    const own = JSON.stringify({
      healthyRetryPolicy: { numRetries: 1, minDelayTarget: 2, maxDelayTarget: 2 },
    });
    expect(retryDelays(effectivePolicy(undefined, topic))).toEqual([20, 20, 20, 20, 20]);
    expect(retryDelays(effectivePolicy(own, topic))).toEqual([2]);
  });

  // https://docs.aws.amazon.com/sns/latest/dg/set-topic-attributes-delivery-policy-json.html
  it('lets the topic\'s policy win with disableSubscriptionOverrides, and sets the Content-Type from requestPolicy (SNS guide: "SetTopicAttributes delivery policy JSON format")', () => {
    const own = JSON.stringify({
      healthyRetryPolicy: { numRetries: 1 },
      requestPolicy: { headerContentType: 'application/json' },
    });
    const topic = (disable: boolean) =>
      JSON.stringify({
        http: {
          defaultHealthyRetryPolicy: { numRetries: 2 },
          disableSubscriptionOverrides: disable,
          defaultRequestPolicy: { headerContentType: 'application/xml' },
        },
      });
    expect(retryDelays(effectivePolicy(own, topic(false)))).toHaveLength(1);
    expect(effectiveContentType(own, topic(false))).toBe('application/json');
    expect(retryDelays(effectivePolicy(own, topic(true)))).toHaveLength(2);
    expect(effectiveContentType(own, topic(true))).toBe('application/xml');
    expect(effectiveContentType()).toBe('text/plain; charset=UTF-8');
  });

  it('refuses a policy whose retries take more than 3,600 seconds (SNS guide: "the total policy retry time ... cannot be greater than 3,600 seconds")', () => {
    const long = JSON.stringify({
      healthyRetryPolicy: { numRetries: 100, minDelayTarget: 60, maxDelayTarget: 60 },
    });
    expect(deliveryPolicyProblems(long)).toEqual(['the total retry time must not exceed 3,600 seconds']);
    expect(deliveryPolicyProblems(JSON.stringify({ healthyRetryPolicy: { numRetries: 3 } }))).toEqual([]);
    expect(deliveryPolicyProblems('{')).toEqual(['DeliveryPolicy: failed to parse JSON']);
  });
});
