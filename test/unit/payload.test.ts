import { describe, expect, it } from 'vitest';
import { parsePayload } from '../../src/locks/payload.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
/** OpenClaw's fs-safe ownership token: 8 tabs, then 128 tab/space characters, then a newline. */
const TOKEN = '\t'.repeat(8) + Array.from({ length: 128 }, (_, i) => (i % 3 === 0 ? ' ' : '\t')).join('') + '\n';

describe('openclaw-session payloads', () => {
  it.each([
    ['compact {pid, createdAt}', '{"pid":7,"createdAt":"2026-05-26T07:22:46.211Z"}', { pid: 7, createdAt: '2026-05-26T07:22:46.211Z' }],
    ['+starttime', '{"pid":7,"createdAt":"2026-05-26T07:22:46.211Z","starttime":7204072}', { pid: 7, createdAt: '2026-05-26T07:22:46.211Z', starttime: 7204072 }],
    ['+maxHoldMs', '{"pid":7,"createdAt":"2026-05-26T07:22:46.211Z","maxHoldMs":300000}', { pid: 7, createdAt: '2026-05-26T07:22:46.211Z', maxHoldMs: 300000 }],
    ['unknown keys', '{"pid":7,"createdAt":"2026-05-26T07:22:46.211Z","fencingToken":"abc","x":{"y":1}}', { pid: 7, createdAt: '2026-05-26T07:22:46.211Z' }],
    ['pretty-printed', '{\n  "pid": 7,\n  "createdAt": "2026-05-26T07:22:46.211Z",\n  "starttime": 5\n}', { pid: 7, createdAt: '2026-05-26T07:22:46.211Z', starttime: 5 }],
    ['with the ownership token', `{"pid":7,"createdAt":"2026-05-26T07:22:46.211Z","starttime":5}${TOKEN}`, { pid: 7, createdAt: '2026-05-26T07:22:46.211Z', starttime: 5 }],
    ['pretty + token', `{\n  "pid": 7,\n  "createdAt": "2026-05-26T07:22:46.211Z"\n}\n${TOKEN}`, { pid: 7, createdAt: '2026-05-26T07:22:46.211Z' }],
  ])('reads %s', (_name, text, owner) => {
    const parsed = parsePayload('openclaw-session', bytes(text));
    expect(parsed).toEqual({ ok: true, owner, createdAtMs: Date.parse('2026-05-26T07:22:46.211Z') });
  });

  it('treats values of the wrong type as missing', () => {
    const parsed = parsePayload('openclaw-session', bytes('{"pid":7,"createdAt":12,"starttime":"5","maxHoldMs":-1}'));
    expect(parsed).toEqual({ ok: true, owner: { pid: 7 } });
    expect(parsePayload('openclaw-session', bytes('{"pid":"7","createdAt":"2026-05-26T07:22:46.211Z"}'))).toMatchObject({ ok: false, problem: 'no-pid' });
    expect(parsePayload('openclaw-session', bytes('{"pid":7.5}'))).toMatchObject({ ok: false, problem: 'no-pid' });
    expect(parsePayload('openclaw-session', bytes('{"pid":-3}'))).toMatchObject({ ok: false, problem: 'no-pid' });
  });

  it.each([
    ['', 'empty'],
    [' \n\t', 'empty'],
    ['{"pid": 7, "createdAt":', 'unparseable'],
    ['[7]', 'unparseable'],
    ['null', 'unparseable'],
    ['7', 'unparseable'],
  ])('classifies %j as %s', (text, problem) => {
    expect(parsePayload('openclaw-session', bytes(text))).toMatchObject({ ok: false, problem });
  });

  it('rejects invalid UTF-8 as unparseable', () => {
    expect(parsePayload('openclaw-session', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ ok: false, problem: 'unparseable' });
  });
});

describe('other kinds', () => {
  it('openclaw-store reads {pid, startedAt} with startedAt in epoch ms', () => {
    const parsed = parsePayload('openclaw-store', bytes('{"pid":16,"startedAt":1780000000000}'));
    expect(parsed).toEqual({ ok: true, owner: { pid: 16, createdAt: new Date(1780000000000).toISOString() }, createdAtMs: 1780000000000 });
  });

  it('generic reads a bare-integer pidfile and JSON with pid', () => {
    expect(parsePayload('generic', bytes('1234\n'))).toEqual({ ok: true, owner: { pid: 1234 } });
    expect(parsePayload('generic', bytes('{"pid":9,"starttime":3}'))).toEqual({ ok: true, owner: { pid: 9, starttime: 3 } });
    expect(parsePayload('generic', bytes('0\n'))).toMatchObject({ ok: false, problem: 'no-pid' });
  });

  it('a reclaim guard carries lockguard identity', () => {
    const parsed = parsePayload('reclaim-guard', bytes('{"pid":1,"starttime":9,"createdAt":"2026-01-01T00:00:00.000Z","bootId":"b","pidNsInode":4026532180}'));
    expect(parsed).toMatchObject({ ok: true, owner: { pid: 1, starttime: 9, bootId: 'b', pidNsInode: 4026532180 } });
  });
});
