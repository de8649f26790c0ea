#!/usr/bin/env python3
"""Runs helpdesk External API calls with Python's own xmlrpc.client, one per case.

Usage: run_cases.py URL DB < cases.json

cases.json is a list of {"key", "login", "password", "model", "method", "args", "kwargs"}.
Prints one JSON object: key -> {"result": ...} or {"faultCode": ..., "faultString": ...}.
Logins are authenticated once each through /xmlrpc/2/common.
"""
import json
import sys
import xmlrpc.client

url, db = sys.argv[1:3]
cases = json.load(sys.stdin)
common = xmlrpc.client.ServerProxy('{}/xmlrpc/2/common'.format(url))
models = xmlrpc.client.ServerProxy('{}/xmlrpc/2/object'.format(url), allow_none=True)
uids = {}
out = {}
for case in cases:
    login, password = case['login'], case['password']
    if login not in uids:
        uids[login] = common.authenticate(db, login, password, {})
    try:
        result = models.execute_kw(db, uids[login], password, case['model'], case['method'], case.get('args', []), case.get('kwargs', {}))
        out[case['key']] = {'result': result}
    except xmlrpc.client.Fault as err:
        out[case['key']] = {'faultCode': err.faultCode, 'faultString': err.faultString}
print(json.dumps(out, default=str))
