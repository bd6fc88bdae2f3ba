import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AssisterType } from '../domain/assister-type';
import { ConcurrentUpdateError } from '../domain/errors';
import type { Organization } from '../domain/organization';
import { OrganizationSchema, servesCounty } from '../domain/organization';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import { batchGetAll } from './dynamo-batch';
import { queryAll, queryItems } from './dynamo-query';
import { DIRECTORY_INDEX } from './dynamo-tables';

/*
 * One table, two kinds of item:
 *   profile   pk ORG#<id>                       sk PROFILE    the organization (source of truth)
 *   coverage  pk COVERAGE#<type>#<fips|STATEWIDE> sk ORG#<id>   "this organization serves here"
 * Routing queries two coverage partitions (the county, and statewide) and then reads the profiles
 * consistently, so a coverage entry that is stale for a moment can never route a lead wrongly.
 */
const PROFILE = 'PROFILE';
const KIND = 'organization';
const STATEWIDE = 'STATEWIDE';

const profileKey = (id: string) => ({ pk: `ORG#${id}`, sk: PROFILE });
const coveragePk = (type: AssisterType, area: string) => `COVERAGE#${type}#${area}`;

export class DynamoAssisterDirectory implements AssisterDirectory {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async candidatesFor(type: AssisterType, countyFips: string): Promise<Organization[]> {
    const partitions = [coveragePk(type, countyFips), coveragePk(type, STATEWIDE)];
    const ids = new Set<string>();
    for (const pk of partitions) {
      const items = queryItems(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'organizationId',
        // Routing decides on this: an organization added a moment ago is a candidate.
        ConsistentRead: true,
      });
      for await (const item of items) ids.add(String(item.organizationId));
    }
    const profiles = await this.getMany([...ids]);
    return profiles.filter((o) => o.type === type && servesCounty(o, countyFips));
  }

  async get(organizationId: string): Promise<Organization | undefined> {
    return (await this.getVersioned(organizationId))?.organization;
  }

  async getVersioned(organizationId: string): Promise<{ organization: Organization; version: number } | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: profileKey(organizationId), ConsistentRead: true }),
    );
    return out.Item ? { organization: toOrganization(out.Item), version: Number(out.Item.version ?? 0) } : undefined;
  }

  async put(organization: Organization, expectedVersion?: number): Promise<void> {
    const org = OrganizationSchema.parse(organization);
    const before = await this.get(org.organizationId);
    const checked = expectedVersion !== undefined;
    // Profile first: it is the truth routing checks, so a crash below leaves coverage at worst stale.
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...profileKey(org.organizationId),
            kind: KIND,
            ...org,
            ...(checked && { version: expectedVersion + 1 }),
          },
          ...(checked && {
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ...(expectedVersion !== 0 && { ExpressionAttributeValues: { ':version': expectedVersion } }),
          }),
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        throw new ConcurrentUpdateError(`Organization ${org.organizationId} changed since it was read`, {
          cause: error,
        });
      }
      throw error;
    }
    const wanted = new Set(coveragePartitions(org));
    const stale = before ? coveragePartitions(before).filter((pk) => !wanted.has(pk)) : [];
    for (const pk of wanted) {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: `ORG#${org.organizationId}`, organizationId: org.organizationId },
        }),
      );
    }
    for (const pk of stale) {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk, sk: `ORG#${org.organizationId}` } }),
      );
    }
  }

  async list(): Promise<Organization[]> {
    return queryAll(
      this.doc,
      {
        TableName: this.tableName,
        IndexName: DIRECTORY_INDEX.byKind,
        KeyConditionExpression: '#kind = :k',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':k': KIND },
      },
      toOrganization,
    );
  }

  private async getMany(ids: string[]): Promise<Organization[]> {
    const items = await batchGetAll(this.doc, this.tableName, ids.map(profileKey), { consistentRead: true });
    return items.map(toOrganization).sort((a, b) => a.organizationId.localeCompare(b.organizationId));
  }
}

function coveragePartitions(org: Organization): string[] {
  return org.coverage.kind === 'statewide'
    ? [coveragePk(org.type, STATEWIDE)]
    : org.coverage.counties.map((fips) => coveragePk(org.type, fips));
}

/** Profiles are validated on the way out too: a hand-edited item fails loudly, not at routing time. */
function toOrganization(item: Record<string, unknown>): Organization {
  const { pk: _pk, sk: _sk, kind: _kind, version: _version, ...rest } = item;
  return OrganizationSchema.parse(rest);
}
