/**
 * The sanitiser's fast path (core/orm/fields/html.ts): for HTML it accepts, its output must be
 * exactly sanitize-html's; anything else must go to sanitize-html.
 */
import test from 'ava';
import sanitizeHtml from 'sanitize-html';
import { SANITIZE_OPTIONS, sanitizeHtmlValue, simpleHtml } from '../../core/orm/fields/html.ts';

/** sanitizeHtmlValue without the fast path: the sanitiser itself, with the same options. */
const slow = (html: string) => sanitizeHtml(html, SANITIZE_OPTIONS);

test('bare tags come out as the sanitiser writes them, without its parser', (t) => {
  const html = '<div>Good morning,</div><div><br></div><div>Best regards<br>Chloé Evans &eacute;</div>';
  t.is(simpleHtml(html), null, 'an entity other than those of escaped text: not simple');
  t.is(simpleHtml('<p>Your request &quot;a &amp; b&quot; &lt;x&gt; &#39;y&#39;</p>'), '<p>Your request "a &amp; b" &lt;x&gt; \'y\'</p>', 'escaped text (our own messages)');
  const plain = '<div>Good morning,</div><div><br></div><div>Best regards<br/>Chloé "Evans" > x</div>';
  t.is(simpleHtml(plain), '<div>Good morning,</div><div><br /></div><div>Best regards<br />Chloé "Evans" &gt; x</div>');
  t.is(sanitizeHtmlValue(plain), sanitizeHtml(plain, { allowedTags: ['div', 'br'] }));
  t.is(simpleHtml('<div>Thanks</div><blockquote type="cite"><div>Hello</div></blockquote>'), '<div>Thanks</div><blockquote><div>Hello</div></blockquote>', 'a quoted reply');
});

test('anything not provably simple goes to the sanitiser (scripts, attributes, entities, odd nesting)', (t) => {
  for (const html of ['<script>alert(1)</script>', '<div onclick="x">a</div>', '<img src=x onerror=alert(1)>', 'a &nbsp; b', 'a & b', 'a &amp b', '&#x27;', '<!-- c -->',
    '<p><div>x</div></p>', '<div>x', 'x</div>', '<b><i>x</b></i>', '<li><li>x</li></li>', '<div type="cite">x</div>', '<blockquote type="cite">x</blockquote type="cite">', '<blockquote type="other">x</blockquote>', '<DIV>x</DIV>', '<div >x</div>', '</br>', '<br></br>', '<a href="javascript:x">y</a>', '<iframe></iframe>', 'a\0b']) {
    t.is(simpleHtml(html), null, html);
  }
  t.is(sanitizeHtmlValue('<script>alert(1)</script><div onclick="x">a</div>'), '<div>a</div>');
});

test('on many generated documents the fast path and the sanitiser agree', (t) => {
  const pieces = ['<div>', '</div>', '<p>', '</p>', '<span>', '</span>', '<b>', '</b>', '<i>', '</i>', '<u>', '</u>', '<s>', '</s>', '<strong>', '</strong>', '<em>', '</em>',
    '<blockquote>', '</blockquote>', '<ul>', '</ul>', '<ol>', '</ol>', '<li>', '</li>', '<pre>', '</pre>', '<code>', '</code>', '<small>', '</small>', '<sub>', '</sub>', '<sup>', '</sup>',
    '<br>', '<br/>', '<br />', '<hr>', '<blockquote type="cite">', '<div type="cite">', '</blockquote type="cite">', '<blockquote type="x">', 'text', ' ', 'é ñ ü', '"q"', "'", '>', '\n', '\r\n', '\t', '\u00a0', 'a > b', '&quot;', '&amp;', '&lt;', '&gt;', '&#39;', '&amp;lt;', '&', 'lt;'];
  let seed = 42;
  // mulberry32: a small PRNG with well mixed low bits (deterministic documents).
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  let simple = 0;
  for (let i = 0; i < 20000; i++) {
    let html = '';
    const len = 1 + rand(12);
    // Half balanced by construction (so that many are simple), half random sequences.
    if (i % 2) {
      for (let k = 0; k < len; k++) html += pieces[rand(pieces.length)];
    } else {
      const open: string[] = [];
      for (let k = 0; k < len; k++) {
        const r = rand(4);
        if (r === 0 && open.length) html += `</${open.pop()}>`;
        else if (r === 1) { const tag = ['div', 'p', 'span', 'b', 'li', 'ul', 'em', 'blockquote', 'pre'][rand(9)]; open.push(tag); html += tag === 'blockquote' && rand(2) ? '<blockquote type="cite">' : `<${tag}>`; }
        else html += ['text', '<br>', ' x > y ', 'ñ', '"', '&quot;', '&amp;', '&lt;', '&gt;', '&#39;'][rand(10)];
      }
      while (open.length) html += `</${open.pop()}>`;
    }
    const fast = simpleHtml(html);
    if (fast === null) continue;
    simple++;
    if (fast !== slow(html)) t.fail(`${JSON.stringify(html)}: fast ${JSON.stringify(fast)}, sanitiser ${JSON.stringify(slow(html))}`);
  }
  t.true(simple > 3000, `${simple} simple documents compared`);
});
