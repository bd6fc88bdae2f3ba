/**
 * AWS list prices, us-east-1, on-demand, without free tiers, in USD, as published on the services' pricing pages
 * on the date below (the latest change among them: DynamoDB on-demand halved on 2024-11-01). They were not
 * re-checked online from the bench machine: check them before quoting a figure as a budget.
 */
export const PRICES_AS_OF = '2024-11-01';

export const PRICES = {
  /** Lambda, Arm (the functions run on ARM_64): per GB-second of duration, and per request. */
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** DynamoDB on-demand: per write request unit and per read request unit. */
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  /** DynamoDB Standard table storage, per GB-month. */
  dynamoPerGbMonth: 0.25,
  /** EventBridge custom events published, per 64 KB event. */
  eventBridgePerEvent: 1 / 1e6,
  /** SES outbound email, per message. */
  sesPerEmail: 0.1 / 1000,
  /** S3 Standard: PUT/POST/LIST and GET requests, storage per GB-month. */
  s3PerPut: 0.005 / 1000,
  s3PerGet: 0.0004 / 1000,
  s3PerGbMonth: 0.023,
  /** API Gateway REST API, per request (first 333 million a month). */
  apiGatewayPerRequest: 3.5 / 1e6,
} as const;
