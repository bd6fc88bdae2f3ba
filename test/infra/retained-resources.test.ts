import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

/** The properties that give a resource its physical name (BucketName, LogGroupName, Name…). */
const nameOf = (properties: Record<string, unknown> = {}): string | undefined =>
  Object.keys(properties).find((k) => k === 'Name' || /^[A-Z][A-Za-z]*[a-z]Name$/.test(k));

/*
 * What a failed first deploy leaves behind. CloudFormation rolls a failed create back by deleting
 * what it created, except resources marked Retain: those stay, and a named one makes the retry fail
 * with "already exists". RetainExceptOnCreate (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE) is deleted
 * by that rollback and retained on every later update or deletion.
 */
describe('retained resources', () => {
  test('nothing a rolled-back create keeps carries a physical name (a retry creates it again)', () => {
    const keptByRollback = Object.entries(synth.resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
    const named = keptByRollback
      .filter(([, r]) => nameOf(r.Properties) !== undefined)
      .map(([id, r]) => `${id} (${r.Type} ${nameOf(r.Properties)})`);
    expect(named).toEqual([]);
  });

  test('only the tables and the log archive outlive a rolled-back create, for reasons', () => {
    // Tables: deletion protection would make the rollback itself fail. Log archive: flow logs and
    // access logs arrive during the create, and CloudFormation cannot delete a bucket that is not empty.
    const keptByRollback = Object.entries(synth.resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([id]) => id)
      .sort();
    const expected = [
      ...synth.stack.data.all.map(([, table]) => synth.idOf(table)),
      synth.idOf(synth.stack.logArchive.bucket),
    ].sort();
    expect(keptByRollback).toEqual(expected);
  });

  test('the data a deployed stack holds survives updates and deletion of the stack', () => {
    const ids = [
      synth.idOf(synth.stack.reports.bucket),
      synth.idOf(synth.stack.secrets.secrets.consumerKey),
      synth.idOf(synth.stack.secrets.secrets.signing),
      synth.idOf(synth.stack.backup.vault),
      synth.idOf(synth.stack.encryption.dataKey),
      synth.idOf(synth.stack.triggers.scheduleGroup),
    ];
    for (const id of ids) {
      expect({ id, policies: [synth.resources[id]!.DeletionPolicy, synth.resources[id]!.UpdateReplacePolicy] }).toEqual(
        {
          id,
          policies: ['RetainExceptOnCreate', 'Retain'],
        },
      );
    }
  });

  test("the reports bucket's name is new for each stack created (the stack id), stable across updates", () => {
    const name = JSON.stringify(synth.resources[synth.idOf(synth.stack.reports.bucket)]!.Properties!.BucketName);
    expect(name).toContain('"AWS::StackId"');
  });
});
