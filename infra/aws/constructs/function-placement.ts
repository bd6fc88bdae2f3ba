import type { FunctionName } from '../../functions';
import { FUNCTION_NAMES, sendsEmail } from '../../functions';

/**
 * The functions that send email (their roles may ses:SendEmail), which run outside the isolated VPC,
 * on Lambda's own network. The code calls SES's v1 API (@aws-sdk/client-ses). SES's `email`
 * interface endpoint is new (December 2025), and AWS's documentation shows neither that it serves
 * the v1 API nor in which Availability Zones of a region it exists; a function in the isolated
 * subnets that cannot reach SES fails every lead and every report email. So these reach SES's public
 * endpoint, which needs no such assumption. The cost: the two parsers of files from outside
 * (mail-intake's MIME parser, report-ingest's sheet reader) send refusals and receipts, so they run
 * here too, with a route to the internet; their roles still reach only this stack's resources.
 * Once the endpoint is shown to serve SendEmail in the deploy region (a send from a function in the
 * VPC), the functions can move back. Today a function is here exactly when its manifest entry
 * (infra/functions.ts) names a sender it may send from.
 */
export const SENDS_EMAIL: ReadonlySet<FunctionName> = new Set(FUNCTION_NAMES.filter(sendsEmail));
