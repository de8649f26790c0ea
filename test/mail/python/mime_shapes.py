"""
MIME shapes real mail clients send, built with Python's email package (independent of the
server's parser). Prints a JSON list: each shape's raw bytes (base64) and what the gateway
must make of it: subject, reporter name and address, a text the description contains, and
each attachment's file name, type and SHA-1 of its bytes.

    python3 mime_shapes.py <domain>
"""
import base64
import hashlib
import json
import sys
from email import policy
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid

DOMAIN = sys.argv[1] if len(sys.argv) > 1 else 'localhost'
TO = f'helpdesk@{DOMAIN}'
PNG = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==')
PDF = b'%PDF-1.4\n' + bytes(range(256)) * 40 + b'\n%%EOF\n'
shapes = []


def sha1(b):
    return hashlib.sha1(b).hexdigest()


def add(name, msg, subject, text, from_name, from_email, attachments=(), raw=None):
    if raw is None:
        if 'Message-ID' not in msg:
            msg['Message-ID'] = make_msgid(domain='client.example')
        raw = msg.as_bytes(policy=policy.SMTP) if isinstance(msg, EmailMessage) else msg.as_bytes()
    shapes.append({
        'name': name, 'raw': base64.b64encode(raw).decode(), 'subject': subject, 'text': text,
        'from_name': from_name, 'from_email': from_email,
        'attachments': [{'filename': f, 'mimetype': t, 'sha1': sha1(b)} for f, t, b in attachments],
    })


def basic(cls=EmailMessage):
    return cls()


def hdr(msg, subject, sender=('Ana Pérez', 'ana.shapes@example.com')):
    msg['From'] = formataddr(sender)
    msg['To'] = TO
    if subject is not None:
        msg['Subject'] = subject
    return msg


# 1 text only
m = hdr(EmailMessage(), 'Printer jammed')
m.set_content('The printer on floor 2 is jammed.\nPlease help.')
add('text/plain only', m, 'Printer jammed', 'The printer on floor 2 is jammed.', 'Ana Pérez', 'ana.shapes@example.com')

# 2 html only
m = hdr(EmailMessage(), 'HTML only')
m.set_content('<html><body><p>The <b>VPN</b> is down</p></body></html>', subtype='html')
add('text/html only', m, 'HTML only', 'is down', 'Ana Pérez', 'ana.shapes@example.com')

# 3 multipart/alternative
m = hdr(EmailMessage(), 'Alternative parts')
m.set_content('Plain version of the report')
m.add_alternative('<p>HTML version of the <i>report</i></p>', subtype='html')
add('multipart/alternative', m, 'Alternative parts', 'HTML version of the', 'Ana Pérez', 'ana.shapes@example.com')

# 4 base64 body
m = hdr(Message(), 'Base64 body')
m['MIME-Version'] = '1.0'
m['Content-Type'] = 'text/plain; charset="utf-8"'
m['Content-Transfer-Encoding'] = 'base64'
m.set_payload(base64.encodebytes('Contraseña caducada en el portátil'.encode()).decode())
add('base64 text body', m, 'Base64 body', 'Contraseña caducada en el portátil', 'Ana Pérez', 'ana.shapes@example.com')

# 5 quoted-printable body
m = hdr(MIMEText('Le café est froid — encore une fois, ça ne marche pas', 'plain', 'utf-8'), 'QP body')
del m['Content-Transfer-Encoding']
import quopri
m.set_payload(quopri.encodestring('Le café est froid — encore une fois, ça ne marche pas'.encode()).decode())
m['Content-Transfer-Encoding'] = 'quoted-printable'
add('quoted-printable body', m, 'QP body', 'Le café est froid — encore une fois, ça ne marche pas', 'Ana Pérez', 'ana.shapes@example.com')

# 6-8 RFC 2047 subjects
for charset, text in [('utf-8', 'Ñandú 🚀 no arranca'), ('iso-8859-1', 'Impresión atascada en el año'), ('windows-1252', 'Factura “urgente” – 50 €')]:
    m = MIMEText('Encoded subject body', 'plain', 'utf-8')
    m['From'] = 'Ana <ana.encoded@example.com>'
    m['To'] = TO
    m['Subject'] = Header(text, charset).encode()
    add(f'RFC 2047 subject in {charset}', m, text, 'Encoded subject body', 'Ana', 'ana.encoded@example.com')

# 9 RFC 2047 Q-encoding subject (hand-written)
# (Its sender has no display name: an address of its own, or the partner it creates — named
# after the address — would be the one the named shapes find, whichever is filed first.)
raw = (f'From: ana.noname@example.com\r\nTo: {TO}\r\nSubject: =?ISO-8859-1?Q?Caf=E9_sin_az=FAcar?=\r\n'
       f'Message-ID: <q-enc-1@client.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nq encoded\r\n').encode()
add('RFC 2047 Q-encoded subject', None, 'Café sin azúcar', 'q encoded', '', 'ana.noname@example.com', raw=raw)

# 10 attachment, RFC 2231 file name
m = hdr(EmailMessage(), 'Invoice attached')
m.set_content('See attachment')
m.add_attachment(PDF, maintype='application', subtype='pdf', filename=('utf-8', '', 'Factura nº 7 – año.pdf'))
add('RFC 2231 attachment file name', m, 'Invoice attached', 'See attachment', 'Ana Pérez', 'ana.shapes@example.com', [('Factura nº 7 – año.pdf', 'application/pdf', PDF)])

# 11 RFC 2231 continuation: a long non-ASCII name, split in parts by the email package
name = 'Informe_de_situación_' + 'ñ' * 40 + '.txt'
content = b'line\n' * 50
m = hdr(EmailMessage(), 'Continuations')
m.set_content('split name')
m.add_attachment(content, maintype='text', subtype='plain', filename=name)
assert b'filename*1*=' in m.as_bytes(policy=policy.SMTP)
add('RFC 2231 continued file name', m, 'Continuations', 'split name', 'Ana Pérez', 'ana.shapes@example.com', [(name, 'text/plain', content)])

# 12 inline image by Content-ID
m = hdr(EmailMessage(), 'Screenshot inline')
m.set_content('see image')
cid = make_msgid(domain='client.example')
m.add_alternative(f'<p>Error dialog:</p><img src="cid:{cid[1:-1]}">', subtype='html')
m.get_payload()[1].add_related(PNG, 'image', 'png', cid=cid, filename='screen.png')
add('inline image by Content-ID', m, 'Screenshot inline', 'Error dialog:', 'Ana Pérez', 'ana.shapes@example.com', [('screen.png', 'image/png', PNG)])

# 13 message/rfc822 attached
inner = hdr(EmailMessage(), 'Original problem', ('Boss', 'boss@example.com'))
inner['Message-ID'] = '<inner-1@client.example>'
inner.set_content('forwarded body')
inner_bytes = inner.as_bytes(policy=policy.SMTP)
m = hdr(MIMEMultipart(), 'Fwd: Original problem')
m.attach(MIMEText('Forwarding this', 'plain'))
att = MIMEMessage(inner)
att.add_header('Content-Disposition', 'attachment', filename='original.eml')
m.attach(att)
m['Message-ID'] = '<fwd-1@client.example>'
raw = m.as_bytes(policy=policy.SMTP)
inner_sent = att.get_payload(0).as_bytes(policy=policy.SMTP)
add('message/rfc822 attached', None, 'Fwd: Original problem', 'Forwarding this', 'Ana Pérez', 'ana.shapes@example.com', [('original.eml', 'message/rfc822', inner_sent)], raw=raw)

# 14 very long lines (no folding possible in the body: quoted-printable soft breaks)
long_text = 'word ' * 4000
m = hdr(EmailMessage(), 'Long line')
m.set_content(long_text.strip())
add('very long lines', m, 'Long line', 'word word word', 'Ana Pérez', 'ana.shapes@example.com')

# 15 a 2000-character unfolded line sent as 8bit/7bit raw
raw = (f'From: ana.noname@example.com\r\nTo: {TO}\r\nSubject: Raw long line\r\nMessage-ID: <raw-long@client.example>\r\n\r\n' + 'x' * 1990 + 'END\r\n').encode()
add('raw 2000-byte line', None, 'Raw long line', 'xxxEND', '', 'ana.noname@example.com', raw=raw)

# 16 no subject
m = hdr(EmailMessage(), None)
m.set_content('nothing in the subject')
add('no subject', m, '(no subject)', 'nothing in the subject', 'Ana Pérez', 'ana.shapes@example.com')

# 17 display name with a comma
m = hdr(EmailMessage(), 'Comma name', ('Pérez, Ana', 'ana.comma@example.com'))
m.set_content('comma in the name')
add('display name with a comma', m, 'Comma name', 'comma in the name', 'Pérez, Ana', 'ana.comma@example.com')

# 18 display name with quotes (an escaped quoted-string)
m = MIMEText('quotes in the name', 'plain', 'us-ascii')
m['From'] = formataddr(('Ana "la jefa" Perez', 'ana.quote@example.com'))
assert m['From'].startswith('"Ana \\"la jefa\\" Perez"')
m['To'] = TO
m['Subject'] = 'Quote name'
add('display name with quotes', m, 'Quote name', 'quotes in the name', 'Ana "la jefa" Perez', 'ana.quote@example.com')

# 18b non-ASCII display name with quotes and a comma (one RFC 2047 encoded word)
m = MIMEText('encoded quotes in the name', 'plain', 'utf-8')
m['From'] = formataddr(('Núñez, José "Pepe"', 'pepe.quote@example.com'), charset='utf-8')
m['To'] = TO
m['Subject'] = 'Encoded quote name'
add('encoded display name with quotes and a comma', m, 'Encoded quote name', 'encoded quotes in the name', 'Núñez, José "Pepe"', 'pepe.quote@example.com')

# 19 several attachments of several types, binary exact
blob = bytes((i * 7919) % 256 for i in range(100_000))
m = hdr(EmailMessage(), 'Logs and dumps')
m.set_content('attached: a zip and a csv')
m.add_attachment(blob, maintype='application', subtype='zip', filename='dump.zip')
m.add_attachment('a;b\n1;ñ\n'.encode('latin-1'), maintype='text', subtype='csv', filename='data.csv')
add('several binary attachments', m, 'Logs and dumps', 'attached: a zip and a csv', 'Ana Pérez', 'ana.shapes@example.com',
    [('dump.zip', 'application/zip', blob), ('data.csv', 'text/csv', 'a;b\n1;ñ\n'.encode('latin-1'))])

# 20 ISO-8859-1 body, quoted-printable, non-ASCII display name encoded
m = MIMEText('Él no recibió la contraseña', 'plain', 'iso-8859-1')
m['From'] = formataddr(('José Ñúñez', 'jose.latin@example.com'), charset='iso-8859-1')
m['To'] = TO
m['Subject'] = 'Latin-1 body'
add('ISO-8859-1 body and encoded display name', m, 'Latin-1 body', 'Él no recibió la contraseña', 'José Ñúñez', 'jose.latin@example.com')

# 21 Windows-1252 body
m = MIMEText('Precio: 50 € – “oferta”', 'plain', 'windows-1252')
hdr(m, 'cp1252 body')
add('Windows-1252 body', m, 'cp1252 body', 'Precio: 50 € – “oferta”', 'Ana Pérez', 'ana.shapes@example.com')

# 22 multipart/mixed with alternative inside and an attachment (Outlook-like)
m = hdr(EmailMessage(), 'Outlook style')
m.set_content('plain part')
m.add_alternative('<div>html <u>part</u></div>', subtype='html')
m.add_attachment(PNG, maintype='image', subtype='png', filename='photo.png')
add('mixed(alternative + attachment)', m, 'Outlook style', 'html', 'Ana Pérez', 'ana.shapes@example.com', [('photo.png', 'image/png', PNG)])

# 23 attachment without a file name
m = hdr(MIMEMultipart(), 'Nameless attachment')
m.attach(MIMEText('see the file'))
m.attach(MIMEApplication(b'\x00\x01nameless\xff', 'octet-stream'))
add('attachment without a name', m, 'Nameless attachment', 'see the file', 'Ana Pérez', 'ana.shapes@example.com', [(None, 'application/octet-stream', b'\x00\x01nameless\xff')])

# 24 folded long subject header
subject = 'A very long subject line that mail clients fold over several lines because it is longer than seventy-eight characters in total'
m = hdr(EmailMessage(), subject)
m.set_content('folded subject')
add('folded subject header', m, subject, 'folded subject', 'Ana Pérez', 'ana.shapes@example.com')

print(json.dumps(shapes))
