/**
 * Sign-in with the hub's own account resolution: the citizen VNeID vouches for is matched by
 * personal ID (blind index) to the people the identity store holds. A teacher gets their schools and
 * teacher codes; a guardian only the children whose link C06 confirmed; a guardian with no confirmed
 * link and a citizen the schools do not know are refused with a page, and the refusal is audited.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blindIndex, listAudit, loadKeyring } from '../src/store/index.ts';
import { type Harness, PEOPLE, refusalReason, type SchoolApp, startHarness } from './sso-harness.ts';

describe.each(['dvcqg', 'vneid-direct'] as const)(
  'sign-in resolved from the identity store (%s)',
  (personality) => {
    let h: Harness;
    let school: SchoolApp;
    const accountOf = (personalId: string) =>
      blindIndex(
        loadKeyring({}, () => {}),
        personalId,
      ).toString('hex');

    beforeAll(async () => {
      h = await startHarness({ personality, store: true });
      school = await h.school();
    });
    afterAll(async () => {
      await h?.close();
    });

    test('a teacher signs in with the schools and teacher codes the store holds', async () => {
      const result = await h.signIn(school, 'teacher');
      if (result.outcome !== 'code') throw new Error(`refused: ${refusalReason(result.body)}`);
      const claims = (await h.redeem(school, result)).claims()!;
      expect(claims).toMatchObject({
        sub: accountOf(PEOPLE.teacher.citizen.personalId),
        role: 'teacher',
        schools: ['79NB0001'],
        teacher_codes: ['GV0042'],
      });
      expect(JSON.stringify(claims)).not.toContain(PEOPLE.teacher.citizen.personalId);
    });

    test('a teacher who is also a confirmed parent signs in to a guardians-only app as a guardian, and stays one', async () => {
      const parents = await h.school({ allowedRoles: ['guardian'] });
      const result = await h.signIn(parents, 'teacher');
      if (result.outcome !== 'code') throw new Error(`refused: ${refusalReason(result.body)}`);
      const tokens = await h.redeem(parents, result);
      const expected = { role: 'guardian', students: [{ school: '79NB0001', student_code: '7910000777' }] };
      expect(tokens.claims()).toMatchObject(expected);
      expect(tokens.claims()).not.toHaveProperty('teacher_codes');
      // The userinfo call reads the account again: with the app's roles, the same role comes back.
      const { fetchUserInfo } = await import('openid-client');
      const userinfo = await fetchUserInfo(parents.config, tokens.access_token, tokens.claims()!.sub);
      expect(userinfo).toMatchObject(expected);
    });

    test('a guardian whose link C06 confirmed sees that child', async () => {
      const result = await h.signIn(school, 'guardian');
      if (result.outcome !== 'code') throw new Error(`refused: ${refusalReason(result.body)}`);
      const claims = (await h.redeem(school, result)).claims()!;
      expect(claims).toMatchObject({
        role: 'guardian',
        schools: ['79NB0001'],
        students: [{ school: '79NB0001', student_code: '7910000123' }],
      });
    });

    test('a guardian with no confirmed link, and a citizen no school knows, are refused and audited', async () => {
      const unverified = await h.signIn(school, 'unverifiedGuardian');
      expect(unverified.outcome).toBe('page');
      if (unverified.outcome === 'page')
        expect(refusalReason(unverified.body)).toBe('no_verified_guardianship');
      const stranger = await h.signIn(school, 'stranger');
      expect(stranger.outcome).toBe('page');
      if (stranger.outcome === 'page') expect(refusalReason(stranger.body)).toBe('unknown_citizen');
      expect(h.audits.slice(-2).map((a) => [a.action, a.reason])).toEqual([
        ['sso:refuse', 'no_verified_guardianship'],
        ['sso:refuse', 'unknown_citizen'],
      ]);
      expect((await listAudit(h.database, { limit: 5 })).length).toBeGreaterThanOrEqual(0);
    });
  },
);
