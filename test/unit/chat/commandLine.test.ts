import * as assert from 'assert';
import { parseJsonArguments, parseNamedArguments, promptQuery, quoteArgument, resolveTarget, splitFirstWord } from '../../../src/ui/chat/commandLine';

describe('slash command arguments', () => {
  it('splits off the first word', () => {
    assert.deepStrictEqual(splitFirstWord('  everything.echo  {"a": 1} '), { first: 'everything.echo', rest: '{"a": 1}' });
    assert.deepStrictEqual(splitFirstWord('   '), { first: '', rest: '' });
    assert.deepStrictEqual(splitFirstWord(`${quoteArgument('my server.a "b"')} x=1`), { first: 'my server.a "b"', rest: 'x=1' });
  });

  it('reads name=value pairs, quoted values with spaces and escapes', () => {
    assert.deepStrictEqual(parseNamedArguments(`city=Paris note="two words" q='it\\'s' path="C:\\\\x" empty=""`), {
      args: { city: 'Paris', note: 'two words', q: "it's", path: 'C:\\x', empty: '' },
    });
    assert.deepStrictEqual(parseNamedArguments(''), { args: {} });
  });

  it('keeps an argument named __proto__ as an argument', () => {
    const parsed = parseNamedArguments('__proto__=x path=/tmp');
    assert.ok('args' in parsed);
    assert.deepStrictEqual(Object.keys(parsed.args), ['__proto__', 'path']);
    assert.strictEqual(JSON.stringify(parsed.args), '{"__proto__":"x","path":"/tmp"}');
  });

  it('explains malformed arguments', () => {
    assert.deepStrictEqual(parseNamedArguments('city Paris'), { error: "Expected name=value, found 'city'. Quote values that contain spaces: name=\"two words\"." });
    assert.deepStrictEqual(parseNamedArguments('a="open'), { error: "The value of 'a' has no closing \"." });
    assert.deepStrictEqual(parseNamedArguments('a=1 a=2'), { error: "'a' is given twice." });
    assert.deepStrictEqual(parseNamedArguments('=x'), { error: 'An argument is missing its name before "=".' });
    assert.deepStrictEqual(parseNamedArguments('a="x"b'), { error: "Put a space after the quoted value of 'a'." });
  });

  it('round-trips values through quoteArgument', () => {
    for (const v of ['plain', 'two words', '', `it's "quoted" \\ back`, 'tab\there']) {
      const parsed = parseNamedArguments(`k=${quoteArgument(v)}`);
      assert.deepStrictEqual(parsed, { args: { k: v } }, v);
    }
  });

  it('writes a prompt query that the /prompt parsers read back', () => {
    const q = promptQuery('my server', 'greet', { language: 'fr', name: 'Ada Lovelace' });
    assert.strictEqual(q, '@mcp /prompt "my server.greet" language=fr name="Ada Lovelace"');
    const { first, rest } = splitFirstWord(q.slice('@mcp /prompt '.length));
    assert.strictEqual(first, 'my server.greet');
    assert.deepStrictEqual(parseNamedArguments(rest), { args: { language: 'fr', name: 'Ada Lovelace' } });
  });

  it('reads a JSON object of arguments', () => {
    assert.deepStrictEqual(parseJsonArguments(' {"message": "hi", "n": 2} '), { args: { message: 'hi', n: 2 } });
    assert.deepStrictEqual(parseJsonArguments(''), { args: {} });
    assert.match((parseJsonArguments('{oops') as { error: string }).error, /^The arguments are not valid JSON: /);
    assert.deepStrictEqual(parseJsonArguments('[1]'), { error: 'The arguments must be a JSON object, e.g. {"name": "value"}.' });
  });

  it('resolves server.name, servers with dots in their names, and unique bare names', () => {
    const items = [
      { server: 'everything', name: 'echo' },
      { server: 'my.server', name: 'echo' },
      { server: 'everything', name: 'simple-prompt' },
      { server: 'my', name: 'server.echo' },
    ];
    assert.deepStrictEqual(resolveTarget('everything.echo', items), { found: items[0] });
    assert.deepStrictEqual(resolveTarget('my.server.echo', items), { found: items[3] });
    assert.deepStrictEqual(resolveTarget('simple-prompt', items), { found: items[2] });
    assert.deepStrictEqual(resolveTarget('echo', items), { ambiguous: [items[0], items[1]] });
    assert.deepStrictEqual(resolveTarget('nope', items), { missing: true });
  });
});
