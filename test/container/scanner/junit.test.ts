import { parseXml } from './junit';

describe('the JUnit well-formedness check', () => {
  test('reads elements, attributes and escaped text', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &lt;2&gt; &amp; &quot;" y="&#39;"><b/><c>t &amp; u\n</c></a>\n',
    );

    expect(root).toEqual({
      name: 'a',
      attributes: { x: '1 <2> & "', y: "'" },
      children: [
        { name: 'b', attributes: {}, children: [] },
        { name: 'c', attributes: {}, children: [] },
      ],
    });
  });

  test.each([
    ['an unescaped ampersand', '<a>x & y</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a less-than sign in an attribute', '<a x="<"/>'],
    ['a control character', '<a>\u0001</a>'],
    ['a literal ]]>', '<a>]]></a>'],
    ['a mismatched closing tag', '<a><b></a></b>'],
    ['an unclosed element', '<a><b/>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', '<a/>x'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
  ])('rejects %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow();
  });
});
