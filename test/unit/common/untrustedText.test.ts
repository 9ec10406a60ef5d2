import * as assert from 'assert';
import { HOSTILE, renderedIcons, renderedLinks } from '../../fixtures/lib/hostileText';
import { codeBlock, commandLink, cut, escapeMarkdown, hasHiddenCharacters, inertBlock, inertLine, pathSegment, plainLabel, revealHidden, safe, VALUE_MAX } from '../../../src/common/untrustedText';

const links = renderedLinks;
const icons = renderedIcons;

const COMMAND_LINK = 'Auth expired — [Sign in](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20x%7Csh%5Cn%22%7D)';
const URL = 'see https://attacker.invalid/login and www.attacker.invalid or mail me@attacker.invalid';
const RLO = 'invoice\u202etxt.exe';
const ZWSP = 'search\u200b';

describe('untrusted text', () => {
  it('the oracles recognise what VS Code would render', () => {
    assert.deepStrictEqual(links(COMMAND_LINK), ['command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20x%7Csh%5Cn%22%7D']);
    assert.deepStrictEqual(icons('$(loading~spin) ok \\$(x)'), ['loading~spin']);
  });

  describe('safe`…` and inertLine (messages, progress, quick picks, input prompts)', () => {
    it('leaves no command or web link in a value, and shows its text', () => {
      const shown = safe`Tool failed: ${COMMAND_LINK}`;
      assert.deepStrictEqual(links(shown), []);
      assert.match(shown, /^Tool failed: Auth expired — \[Sign in\] \(command:workbench/);
      assert.deepStrictEqual(links(inertLine('[x](https://attacker.invalid) [y](file:///etc/passwd)')), []);
    });

    it('keeps the literal parts, which are ours (our icons and links work)', () => {
      assert.deepStrictEqual(icons(safe`$(play) Start ${'$(pass-filled) verified'}`), ['play']);
      assert.strictEqual(safe`$(play) Start ${'x'}`, '$(play) Start x');
    });

    it('escapes icons in values, so a server cannot draw our icons', () => {
      assert.deepStrictEqual(icons(inertLine('$(pass-filled) verified by MCP Host $(loading~spin)')), []);
      // Already-escaped text is not escaped twice, and `$(` that is no icon is left alone.
      assert.strictEqual(inertLine('\\$(x) and $(which node)'), '\\$(x) and $(which node)');
    });

    it('makes zero-width, bidi and control characters visible', () => {
      assert.strictEqual(inertLine(RLO), 'invoice⟨U+202E⟩txt.exe');
      assert.strictEqual(inertLine(ZWSP), 'search⟨U+200B⟩');
      assert.strictEqual(inertLine('a\u200c\u200d\u2060\ufeff\u2066b\u0007c\u001b[31m'), 'a⟨U+200C⟩⟨U+200D⟩⟨U+2060⟩⟨U+FEFF⟩⟨U+2066⟩b⟨U+0007⟩c⟨U+001B⟩[31m');
      // Tag characters (invisible ASCII smuggling) and variation selectors used to hide data.
      assert.strictEqual(inertLine('hi\u{e0041}\u{e0042}'), 'hi⟨U+E0041⟩⟨U+E0042⟩');
      assert.strictEqual(inertLine('x\ufe00\ufe01'), 'x⟨U+FE00⟩⟨U+FE01⟩');
    });

    it('keeps emoji as they are written', () => {
      assert.strictEqual(inertLine('❤️ 👩‍💻 1️⃣'), '❤️ 👩‍💻 1️⃣');
      assert.strictEqual(inertLine('a\u200d💻'), 'a⟨U+200D⟩💻');
      assert.strictEqual(inertLine('\ufe0f'), '⟨U+FE0F⟩');
    });

    it('puts everything on one line', () => {
      assert.strictEqual(inertLine('line 1\r\n\tline 2\u2028line 3   end\n'), 'line 1 line 2 line 3 end');
    });

    it('cuts each value at VALUE_MAX, and a line at its maximum, without splitting a marker or a surrogate pair', () => {
      const long = 'x'.repeat(1000);
      assert.strictEqual(safe`a ${long} b`.length, `a  b`.length + VALUE_MAX);
      assert.ok(safe`a ${long} b`.includes('…'));
      assert.strictEqual(inertLine(long, 50).length, 50);
      assert.strictEqual(cut('abc⟨U+200B⟩def', 8), 'abc…');
      assert.strictEqual(cut('ab😀cd', 4), 'ab…');
      // Revealing cannot grow a value past its cut: 500 zero-width spaces are not 5,000 characters.
      assert.ok(inertLine('\u200b'.repeat(500), 100).length <= 100);
    });

    it('shows an Error by its message and other values as JSON', () => {
      assert.strictEqual(safe`failed: ${new Error('[x](command:evil)')}`, 'failed: [x] (command:evil)');
      assert.strictEqual(safe`${{ a: 1 }} ${3} ${undefined}`, '{"a":1} 3 ');
    });
  });

  describe('inertBlock (a modal dialog detail: plain text)', () => {
    it('keeps lines and the text exactly, revealing only hidden characters', () => {
      const args = '{\n  "text": "[x](command:y) $(icon)\u202e"\n}';
      assert.strictEqual(inertBlock(args), '{\n  "text": "[x](command:y) $(icon)⟨U+202E⟩"\n}');
      assert.strictEqual(inertBlock('a\r\nb\tc'), 'a\nb\tc');
    });
  });

  describe('plainLabel (tree labels)', () => {
    it('reveals hidden characters on one line', () => {
      assert.strictEqual(plainLabel(`${RLO}\n${ZWSP}`), 'invoice⟨U+202E⟩txt.exe search⟨U+200B⟩');
    });
  });

  describe('hasHiddenCharacters', () => {
    it('flags what revealHidden would show', () => {
      for (const s of [RLO, ZWSP, 'a\u00adb', 'a\u034fb', 'a\u115fb', 'x\u{e0001}']) assert.ok(hasHiddenCharacters(s), JSON.stringify(s));
      for (const s of ['search', 'naïve café', '❤️', '👩‍💻', 'Ünïcödé ñ 中文 العربية']) assert.ok(!hasHiddenCharacters(s), s);
    });
  });

  describe('markdown', () => {
    it('escapes so that URLs, e-mail addresses and links are not recognised', () => {
      const md = escapeMarkdown(`${URL} ${COMMAND_LINK} ![img](https://attacker.invalid/p.png)`);
      // No URL scheme, www. or address survives as a literal sequence a linkifier would pick up.
      assert.doesNotMatch(md, /[a-z]:\/\//i);
      assert.doesNotMatch(md, /www\./);
      assert.doesNotMatch(md, /\w@\w/);
      assert.doesNotMatch(md, /(?<!\\)[[\]()!]/);
    });

    it('reveals hidden characters, in text and in code blocks', () => {
      assert.strictEqual(escapeMarkdown(ZWSP), 'search⟨U\\+200B⟩');
      assert.strictEqual(codeBlock(RLO), '```text\ninvoice⟨U+202E⟩txt.exe\n```');
    });

    it('fences code so no backtick run inside closes it', () => {
      assert.strictEqual(codeBlock('a ``` b'), '````text\na ``` b\n````');
    });
  });

  it('revealHidden with keepLines keeps tabs and line breaks and normalises CRs', () => {
    assert.strictEqual(revealHidden('a\r\nb\rc\td\u0000', true), 'a\nb\nc\td⟨U+0000⟩');
  });

  it('commandLink: our label and command, untrusted arguments encoded so nothing in them ends the link or starts another', () => {
    const names = ['everything', HOSTILE.commandLink, 'x](command:workbench.action.terminal.new) <img src=x> [y', "a'b(c)*!~", HOSTILE.reversedName];
    for (const name of names) {
      const link = commandLink('Show Log', 'mcpHost.showLog', [name]);
      // Exactly one link, to our command, whose arguments decode to what was given.
      assert.deepStrictEqual(renderedLinks(link).length, 1, link);
      const m = /^\[Show Log\]\(command:mcpHost\.showLog\?([A-Za-z0-9%._~-]*)\)$/.exec(link);
      assert.ok(m, link);
      assert.deepStrictEqual(JSON.parse(decodeURIComponent(m[1]!)), [name]);
    }
    assert.strictEqual(commandLink('a [b]', 'mcpHost.x', []), '[a \\[b\\]](command:mcpHost.x?%5B%5D)');
    assert.throws(() => commandLink('x', 'mcpHost.x) [y](command:evil', []), /not a command id/);
  });
  it('reveals lone surrogates (half an emoji a server cut, or sent on purpose) and keeps pairs', () => {
    assert.strictEqual(plainLabel('a\ud800b😀c\udc00'), 'a⟨U+D800⟩b😀c⟨U+DC00⟩');
    assert.strictEqual(inertBlock('x\udbff'), 'x⟨U+DBFF⟩');
    // Well-formed, so it can go into a URI or a file name (encodeURIComponent throws on a lone surrogate).
    assert.doesNotThrow(() => encodeURIComponent(plainLabel('lone\ud800high')));
  });

  it('a cut leaves no zero-width joiner whose emoji it cut off', () => {
    const family = 'ab 👩\u200d💻';
    for (let max = 3; max <= family.length; max++) {
      const out = plainLabel(family, max);
      assert.ok(!/\u200d(?!\p{Extended_Pictographic})/u.test(out), `${max}: ${JSON.stringify(out)}`);
    }
  });

  it('reads only the beginning a cut surface can show, and shows exactly what a pass over the whole text would', () => {
    const huge = `${'[x](command:y) $(icon) a\u200bb \r\n'.repeat(150_000)}end`;
    const line = inertLine(huge);
    const message = safe`Failed: ${huge}`;
    const label = plainLabel(huge, 80);
    const block = inertBlock(huge);
    // The same text as a pass over the whole string would show, cut where it was.
    assert.strictEqual(line, inertLine(huge.slice(0, 2_000)));
    assert.strictEqual(label, plainLabel(huge.slice(0, 400), 80));
    assert.strictEqual(block, inertBlock(huge.slice(0, 40_000)));
    assert.ok(message.endsWith('…') && line.endsWith('…') && block.endsWith('…'));
  });

  it('escapeMarkdown and codeBlock with a maximum (tooltips): cut before escaping, escaped and fenced all the same', () => {
    const huge = `${'[x](https://a.invalid) `code` \u202e😀\n'.repeat(100_000)}end`;
    const md = escapeMarkdown(huge, 8_000);
    assert.ok(md.length <= 2 * 8_000, `${md.length}`);
    assert.ok(md.endsWith('…'));
    assert.strictEqual(md, escapeMarkdown(cut(revealHidden(huge.slice(0, 20_000), true), 8_000)));
    assert.deepStrictEqual(links(md), []);
    assert.ok(!md.includes('\u202e') && md.includes('⟨U\\+202E⟩'));
    const block = codeBlock(huge, 'text', 1_000);
    assert.ok(block.length < 1_100 && block.startsWith('```text\n') && block.endsWith('\n```'), block.slice(-40));
    // Short text is unchanged by a maximum it does not reach.
    assert.strictEqual(escapeMarkdown('a_b', 10), escapeMarkdown('a_b'));
    assert.strictEqual(codeBlock('a`b', 'text', 10), codeBlock('a`b'));
  });

  it('pathSegment: a tab title from untrusted text, one segment, plain', () => {
    assert.strictEqual(pathSegment(HOSTILE.reversedName), 'invoice⟨U+202E⟩txt.exe');
    assert.strictEqual(pathSegment('../../etc/passwd'), '.._.._etc_passwd');
    assert.strictEqual(pathSegment('a\\b\nc'), 'a_b c');
    assert.strictEqual(pathSegment('..'), '_..');
    assert.strictEqual(pathSegment(''), '_');
    assert.strictEqual(pathSegment('x'.repeat(100)).length, 80);
  });
});
