import { Aws, Fn, RemovalPolicy } from 'aws-cdk-lib';

/**
 * How the stack keeps what it holds: retained when an update replaces or removes it and when the
 * stack is deleted, but deleted when the create that made it is rolled back (CloudFormation's
 * DeletionPolicy RetainExceptOnCreate: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
 * Plain RETAIN outlives a failed first deploy, and a named resource then fails the retry with
 * "already exists".
 */
export const KEPT = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

/**
 * Kept even by the rollback of a failed create, for what that rollback could not delete anyway
 * (deletion-protected tables; a bucket logs arrive in during the create). These carry no physical
 * name, so a retry creates new ones beside the leftovers.
 */
export const KEPT_EVEN_IF_CREATE_FAILS = RemovalPolicy.RETAIN;

/**
 * The last group of the stack's id (12 hex digits): the same for every update of a stack, new for
 * each stack created, so a name ending in it never meets the leftover of an earlier failed create.
 */
export function stackInstanceSuffix(): string {
  return Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
}
