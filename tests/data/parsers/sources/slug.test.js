const test = require('node:test');
const assert = require('node:assert');

test('lowercases', () => {
  assert.strictEqual('ABC'.toLowerCase(), 'abc');
});

test('replaces spaces', () => {
  assert.strictEqual('a b'.replace(' ', '-'), 'a_b');
});

test('group', async (t) => {
  await t.test('inner ok', () => {});
  await t.test('inner fails', () => {
    throw new Error('inner boom');
  });
});

test('later', { skip: 'not now' }, () => {});
test('wip', { todo: true }, () => {
  throw new Error('todo fails');
});
