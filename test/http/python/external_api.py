#!/usr/bin/env python3
"""Runs the examples of Odoo's External API documentation with Python's own xmlrpc.client.

Usage: external_api.py URL DB ADMIN_LOGIN ADMIN_PASSWORD USER_LOGIN USER_PASSWORD

Prints one JSON object with the result of every step (faults as
{"faultCode": ..., "faultString": ...}); the ava test (external-api.test.ts) checks it.
The user USER_LOGIN is an internal user (base.group_user only) who may not delete partners.
"""
import json
import sys
import xmlrpc.client

url, db, username, password, user_login, user_password = sys.argv[1:7]
out = {}


def fault(call):
    try:
        return {"result": call()}
    except xmlrpc.client.Fault as err:
        return {"faultCode": err.faultCode, "faultString": err.faultString}


# Logging in
common = xmlrpc.client.ServerProxy('{}/xmlrpc/2/common'.format(url))
out['version'] = common.version()
uid = common.authenticate(db, username, password, {})
out['uid'] = uid
out['login_uid'] = common.login(db, username, password)
out['wrong_password'] = common.authenticate(db, username, 'not-the-password', {})

# Calling methods
models = xmlrpc.client.ServerProxy('{}/xmlrpc/2/object'.format(url))
out['check_access_rights'] = models.execute_kw(db, uid, password, 'res.partner', 'check_access_rights', ['read'], {'raise_exception': False})

# List records, pagination, count
out['search'] = models.execute_kw(db, uid, password, 'res.partner', 'search', [[['is_company', '=', True]]])
out['search_page'] = models.execute_kw(db, uid, password, 'res.partner', 'search', [[['is_company', '=', True]]], {'offset': 2, 'limit': 5, 'order': 'name desc'})
out['search_count'] = models.execute_kw(db, uid, password, 'res.partner', 'search_count', [[['is_company', '=', True]]])

# Read records
ids = models.execute_kw(db, uid, password, 'res.partner', 'search', [[['is_company', '=', True]]], {'limit': 3})
out['read_ids'] = ids
out['read_all_fields_count'] = len(models.execute_kw(db, uid, password, 'res.partner', 'read', [ids])[0])
out['read'] = models.execute_kw(db, uid, password, 'res.partner', 'read', [ids], {'fields': ['name', 'country', 'comment']})

# Listing record fields
out['fields_get'] = models.execute_kw(db, uid, password, 'res.partner', 'fields_get', [], {'attributes': ['string', 'help', 'type']})

# Search and read
out['search_read'] = models.execute_kw(db, uid, password, 'res.partner', 'search_read', [[['is_company', '=', True]]], {'fields': ['name', 'country', 'comment'], 'limit': 5})

# Create, update, delete
new_id = models.execute_kw(db, uid, password, 'res.partner', 'create', [{'name': "New Partner"}])
out['create'] = new_id
out['create_many'] = models.execute_kw(db, uid, password, 'res.partner', 'create', [[{'name': "Batch A"}, {'name': "Batch B"}]])
out['write'] = models.execute_kw(db, uid, password, 'res.partner', 'write', [[new_id], {'name': "Newer partner"}])
out['read_after_write'] = models.execute_kw(db, uid, password, 'res.partner', 'read', [[new_id], ['display_name']])

# An internal user who may not delete partners
user_uid = common.authenticate(db, user_login, user_password, {})
out['user_uid'] = user_uid
out['user_unlink'] = fault(lambda: models.execute_kw(db, user_uid, user_password, 'res.partner', 'unlink', [[new_id]]))
out['user_wrong_password'] = fault(lambda: models.execute_kw(db, user_uid, 'wrong', 'res.partner', 'search', [[]]))

out['unlink'] = models.execute_kw(db, uid, password, 'res.partner', 'unlink', [[new_id]])
out['search_deleted'] = models.execute_kw(db, uid, password, 'res.partner', 'search', [[['id', '=', new_id]]])
out['read_deleted'] = fault(lambda: models.execute_kw(db, uid, password, 'res.partner', 'read', [[new_id]]))

# Bad requests: each one a Fault, and the server goes on
out['bad_domain'] = fault(lambda: models.execute_kw(db, uid, password, 'res.partner', 'search', [[['name', 'bogus', 'x']]]))
out['bad_order'] = fault(lambda: models.execute_kw(db, uid, password, 'res.partner', 'search', [[]], {'order': 'name; DROP TABLE res_partner'}))
out['private_method'] = fault(lambda: models.execute_kw(db, uid, password, 'res.partner', '_displayNames', [[]]))
out['unknown_method'] = fault(lambda: models.execute_kw(db, uid, password, 'res.partner', 'no_such_method', [[]]))
out['unknown_model'] = fault(lambda: models.execute_kw(db, uid, password, 'no.such.model', 'search', [[]]))
out['bad_field'] = fault(lambda: models.execute_kw(db, uid, password, 'res.partner', 'create', [{'no_such_field': 1}]))
out['after_errors_count'] = models.execute_kw(db, uid, password, 'res.partner', 'search_count', [[['is_company', '=', True]]])

# The database service
db_proxy = xmlrpc.client.ServerProxy('{}/xmlrpc/2/db'.format(url))
out['db_list'] = db_proxy.list()

json.dump(out, sys.stdout)
