"""
One SMTP conversation with smtplib, step by step, printing every reply as JSON so a test
can check each refusal: MAIL FROM (optionally with SIZE=), RCPT TO for each recipient,
then DATA when a recipient was accepted and data is given.

    echo '{"host": "127.0.0.1", "port": 2525, "mail_from": "a@x",
           "size": 123, "rcpt": ["b@y"], "data_b64": "..."}' | python3 smtp_session.py
"""
import base64
import json
import smtplib
import sys

spec = json.loads(sys.stdin.read())
out = {}
s = smtplib.SMTP(spec['host'], spec['port'], timeout=300)
code, msg = s.ehlo('client.example')
out['ehlo'] = [code, msg.decode(errors='replace')]
options = [f"SIZE={spec['size']}"] if spec.get('size') is not None else []
code, msg = s.mail(spec['mail_from'], options)
out['mail'] = [code, msg.decode(errors='replace')]
out['rcpt'] = []
accepted = 0
if code == 250:
    for r in spec.get('rcpt', []):
        code, msg = s.rcpt(r)
        out['rcpt'].append([code, msg.decode(errors='replace')])
        accepted += code == 250
if accepted and spec.get('data_b64') is not None:
    code, msg = s.data(base64.b64decode(spec['data_b64']))
    out['data'] = [code, msg.decode(errors='replace')]
try:
    s.quit()
except Exception:
    pass
print(json.dumps(out))
