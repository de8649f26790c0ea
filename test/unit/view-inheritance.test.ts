/**
 * View inheritance as fixture triples (parent arch, patch, expected arch), compared after
 * normalising whitespace between tags, plus the error cases and the XML helpers.
 */
import test from 'ava';
import { applyInheritance, parseXml, serializeXml } from '../../core/views/inheritance.ts';
import { ValidationError } from '../../core/errors.ts';

/** Whitespace between tags and around the document does not matter for an arch. */
const normalize = (xml: string) => xml.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();

const FORM = `
<form string="Ticket">
  <header><button name="action_open" string="Open"/></header>
  <sheet>
    <group name="main">
      <field name="subject"/>
      <field name="user_id"/>
    </group>
    <notebook>
      <page string="Description"><field name="description"/></page>
    </notebook>
  </sheet>
  <div class="oe_chatter"><field name="message_ids"/></div>
</form>`;

const patches = test.macro({
  exec(t, arch: string, patch: string, expected: string) {
    t.is(normalize(applyInheritance(arch, patch, { viewName: 'test.view' })), normalize(expected));
  },
  title: (given) => `applies ${given}`,
});

const fixtures: Array<[string, string, string, string]> = [
  ['inside by default, appending to the located node',
    '<form><group name="g"><field name="a"/></group></form>',
    '<xpath expr="//group[@name=\'g\']"><field name="b"/><field name="c"/></xpath>',
    '<form><group name="g"><field name="a"/><field name="b"/><field name="c"/></group></form>'],
  ['position="after" inserting siblings in order after the node',
    '<form><field name="a"/><field name="z"/></form>',
    '<field name="a" position="after"><field name="b"/><field name="c"/></field>',
    '<form><field name="a"/><field name="b"/><field name="c"/><field name="z"/></form>'],
  ['position="after" on the last child',
    '<form><field name="a"/></form>',
    '<field name="a" position="after"><field name="b"/></field>',
    '<form><field name="a"/><field name="b"/></form>'],
  ['position="before"',
    '<form><field name="a"/><field name="c"/></form>',
    '<xpath expr="//field[@name=\'c\']" position="before"><field name="b"/></xpath>',
    '<form><field name="a"/><field name="b"/><field name="c"/></form>'],
  ['position="replace" swapping the node for the spec content',
    '<form><field name="a"/><field name="b"/></form>',
    '<field name="a" position="replace"><field name="a" widget="many2one_avatar"/><label for="a"/></field>',
    '<form><field name="a" widget="many2one_avatar"/><label for="a"/><field name="b"/></form>'],
  ['an empty replace removing the node',
    '<form><field name="a"/><field name="b"/></form>',
    '<field name="a" position="replace"/>',
    '<form><field name="b"/></form>'],
  ['$0 in a replacement standing for the original node',
    '<form><field name="a" required="1"/></form>',
    '<field name="a" position="replace"><div class="o_row"><div>$0</div><span>units</span></div></field>',
    '<form><div class="o_row"><div><field name="a" required="1"/></div><span>units</span></div></form>'],
  ['replace mode="inner" replacing only the children',
    '<form><group name="g" string="G"><field name="a"/></group></form>',
    '<group name="g" position="replace" mode="inner"><field name="b"/></group>',
    '<form><group name="g" string="G"><field name="b"/></group></form>'],
  ['replace of the root element',
    '<tree><field name="a"/></tree>',
    '<xpath expr="/tree" position="replace"><list editable="bottom"><field name="a"/></list></xpath>',
    '<list editable="bottom"><field name="a"/></list>'],
  ['position="attributes" setting, overwriting and removing attributes',
    '<form><field name="a" readonly="1" invisible="state == \'done\'"/></form>',
    `<field name="a" position="attributes">
       <attribute name="readonly"></attribute>
       <attribute name="invisible">state != 'new'</attribute>
       <attribute name="required">True</attribute>
     </field>`,
    '<form><field name="a" invisible="state != \'new\'" required="True"/></form>'],
  ['attribute add/remove with the default comma separator',
    '<form><field name="a" groups="base.group_user,base.group_portal"/></form>',
    '<field name="a" position="attributes"><attribute name="groups" add="base.group_system" remove="base.group_portal"/></field>',
    '<form><field name="a" groups="base.group_user,base.group_system"/></form>'],
  ['attribute add with a space separator on a missing attribute, and remove of the last value',
    '<form><div class="oe_title"/><field name="a" groups="g1"/></form>',
    `<data>
       <div class="oe_title" position="attributes"><attribute name="class" add="o_big  o_wide" separator=" "/></div>
       <field name="a" position="attributes"><attribute name="groups" remove="g1"/></field>
     </data>`,
    '<form><div class="oe_title o_big o_wide"/><field name="a"/></form>'],
  ['an xpath with predicates and axes',
    FORM,
    '<xpath expr="//page[@string=\'Description\']/field[@name=\'description\']" position="after"><field name="tag_ids"/></xpath>',
    FORM.replace('<field name="description"/>', '<field name="description"/><field name="tag_ids"/>')],
  ['an xpath relative to the root and positional predicates',
    '<form><group><field name="a"/></group><group><field name="b"/></group></form>',
    '<xpath expr="group[2]" position="inside"><field name="c"/></xpath>',
    '<form><group><field name="a"/></group><group><field name="b"/><field name="c"/></group></form>'],
  ['shorthand <group name> matching by attributes',
    FORM,
    '<group name="main" position="inside"><field name="priority"/></group>',
    FORM.replace('<field name="user_id"/>', '<field name="user_id"/><field name="priority"/>')],
  ['shorthand <page string> adding a sibling page',
    FORM,
    '<page string="Description" position="after"><page string="Zammad"><field name="zammad_id"/></page></page>',
    FORM.replace('</page>', '</page><page string="Zammad"><field name="zammad_id"/></page>')],
  ['shorthand <div class> matching the chatter',
    FORM,
    '<div class="oe_chatter" position="before"><div class="o_attachment_preview"/></div>',
    FORM.replace('<div class="oe_chatter">', '<div class="o_attachment_preview"/><div class="oe_chatter">')],
  ['shorthand <form position="inside"> matching the root by tag',
    '<form><field name="a"/></form>',
    '<form position="inside"><footer><button special="cancel"/></footer></form>',
    '<form><field name="a"/><footer><button special="cancel"/></footer></form>'],
  ['shorthand <field> matching the first field of that name anywhere',
    '<form><group><field name="line_ids"><tree><field name="name"/></tree></field></group><field name="name"/></form>',
    '<field name="name" position="attributes"><attribute name="readonly">1</attribute></field>',
    '<form><group><field name="line_ids"><tree><field name="name" readonly="1"/></tree></field></group><field name="name"/></form>'],
  ['several specs in <data>, each seeing the changes of the previous ones',
    '<form><group name="g"><field name="a"/></group></form>',
    `<data>
       <field name="a" position="after"><field name="b"/></field>
       <xpath expr="//field[@name='b']" position="after"><field name="c"/></xpath>
       <field name="c" position="attributes"><attribute name="widget">badge</attribute></field>
       <field name="a" position="replace"/>
     </data>`,
    '<form><group name="g"><field name="b"/><field name="c" widget="badge"/></group></form>'],
  ['nested <data> specs in document order',
    '<form><field name="a"/></form>',
    '<data><data><field name="a" position="after"><field name="b"/></field></data><field name="b" position="after"><field name="c"/></field></data>',
    '<form><field name="a"/><field name="b"/><field name="c"/></form>'],
  ['content that is not whitespace (text and comments) kept as written',
    '<form><div name="d"/></form>',
    '<div name="d" position="inside">Hello <b>world</b><!-- note --></div>',
    '<form><div name="d">Hello <b>world</b><!-- note --></div></form>'],
];

for (const [title, arch, patch, expected] of fixtures) test(title, patches, arch, patch, expected);

const fails = test.macro({
  exec(t, arch: string, patch: string, message: string | RegExp) {
    t.throws(() => applyInheritance(arch, patch, { viewName: 'helpdesk.view_ticket_form_zammad' }), {
      instanceOf: ValidationError,
      message,
    });
  },
  title: (given) => `fails ${given}`,
});

const errors: Array<[string, string, string, string | RegExp]> = [
  ['when an xpath matches nothing',
    '<form><field name="a"/></form>',
    '<xpath expr="//field[@name=\'foo\']" position="after"><field name="b"/></xpath>',
    `View inheritance error in helpdesk.view_ticket_form_zammad: element '<xpath expr="//field[@name='foo']">' cannot be located in parent view`],
  ['when a shorthand field matches nothing',
    '<form><field name="a"/></form>',
    '<field name="nope" position="replace"/>',
    `View inheritance error in helpdesk.view_ticket_form_zammad: element '<field name="nope">' cannot be located in parent view`],
  ['when a shorthand element differs in one attribute',
    '<form><group name="g" string="G"/></form>',
    '<group name="g" string="Other"/>',
    /element '<group name="g" string="Other">' cannot be located/],
  ['when a later spec targets a node an earlier spec removed',
    '<form><field name="a"/></form>',
    '<data><field name="a" position="replace"/><field name="a" position="after"><field name="b"/></field></data>',
    /element '<field name="a">' cannot be located in parent view/],
  ['on an unknown position',
    '<form><field name="a"/></form>',
    '<field name="a" position="sideways"><field name="b"/></field>',
    /View inheritance error in helpdesk\.view_ticket_form_zammad: invalid position 'sideways' in element '<field name="a">'/],
  ['on an invalid xpath expression',
    '<form/>',
    '<xpath expr="//field[@name=" position="inside"/>',
    /invalid xpath expression "\/\/field\[@name="/],
  ['on a non-attribute child of an attributes spec',
    '<form><field name="a"/></form>',
    '<field name="a" position="attributes"><field name="b"/></field>',
    /may only contain <attribute name="…"> elements, got '<field name="b">'/],
  ['on an attribute with both a value and add',
    '<form><field name="a"/></form>',
    '<field name="a" position="attributes"><attribute name="class" add="x">y</attribute></field>',
    /cannot have both a value and add\/remove/],
  ['on inserting a sibling of the root',
    '<form/>',
    '<form position="after"><form/></form>',
    /cannot insert a sibling of the root element <form>/],
  ['on removing the root',
    '<form/>',
    '<form position="replace"/>',
    /replacing the root element needs exactly one element/],
  ['on malformed parent XML, naming the parser message and line',
    '<form>\n<field name="a">\n</form>',
    '<form/>',
    /^Invalid XML in the parent arch of helpdesk\.view_ticket_form_zammad: Opening and ending tag mismatch: "field" != "form" at line 2, column \d+$/],
  ['on malformed patch XML',
    '<form/>',
    '<data><field name="a" position=after/></data>',
    /^Invalid XML in helpdesk\.view_ticket_form_zammad: attribute "after" missed quot/],
  ['on an empty patch',
    '<form/>',
    '',
    /^Invalid XML in helpdesk\.view_ticket_form_zammad: missing root element/],
];

for (const [title, arch, patch, message] of errors) test(title, fails, arch, patch, message);

test('applyInheritance does not need a view name and leaves its inputs untouched', (t) => {
  const arch = '<form><field name="a"/></form>';
  const error = t.throws(() => applyInheritance(arch, '<field name="x"/>'), { instanceOf: ValidationError });
  t.is(error?.message, `View inheritance error: element '<field name="x">' cannot be located in parent view`);
  t.is(applyInheritance(arch, '<field name="a" position="after"><field name="b"/></field>'), '<form><field name="a"/><field name="b"/></form>');
  t.is(arch, '<form><field name="a"/></form>');
});

test('$0 receives a deep copy of the replaced node, once per placeholder', (t) => {
  const result = applyInheritance(
    '<form><group><field name="a"><tree><field name="x"/></tree></field></group></form>',
    '<field name="a" position="replace"><div>$0</div><div>$0</div></field>',
  );
  t.is(normalize(result), '<form><group><div><field name="a"><tree><field name="x"/></tree></field></div><div><field name="a"><tree><field name="x"/></tree></field></div></group></form>');
});

test('parseXml keeps line numbers on nodes and serializeXml drops the XML declaration', (t) => {
  const doc = parseXml('<?xml version="1.0"?>\n<odoo>\n  <record id="x"/>\n</odoo>');
  const record = doc.getElementsByTagName('record')[0] as unknown as { lineNumber: number };
  t.is(record.lineNumber, 3);
  t.is(serializeXml(doc), '<odoo>\n  <record id="x"/>\n</odoo>');
});

test('parseXml rejects undefined entities and duplicate attributes as ValidationError', (t) => {
  t.throws(() => parseXml('<a>&nbsp;</a>', { name: 'views.xml' }), { instanceOf: ValidationError, message: /^Invalid XML in views\.xml: entity not found/ });
  t.throws(() => parseXml('<a b="1" b="2"/>'), { instanceOf: ValidationError, message: /^Invalid XML: Attribute b redefined/ });
});

test('parseXml collects benign parser warnings instead of failing', (t) => {
  const warnings: string[] = [];
  const doc = parseXml('<a>\uFFFD</a>', { warnings });
  t.is(doc.documentElement?.textContent, '\uFFFD');
  t.is(warnings.length, 1);
  t.regex(warnings[0], /Unicode replacement character/);
});
