/**
 * The supporting addons `project` (project.project) and `hr` (hr.department): CRUD by
 * administrators, read-only for internal users, views, actions and Spanish strings.
 */
import test from 'ava';
import type { App } from '../../core/app.ts';
import { AccessError, ValidationError, type Environment } from '../../core/orm/index.ts';
import { extractStrings, missingTranslations } from '../../core/i18n/extract.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
let userUid: number;

test.before(async () => {
  app = await makeTestApp({ addons: ['project', 'hr'] });
  userUid = await app.withEnv(1, async (env) => {
    const user = await env.model('res.users').create({ name: 'Plain User', login: 'plain', password: 'plain', groups_id: [[6, 0, [await env.refId('base.group_user')]]] });
    return user.ids[0];
  });
});
test.after.always(async () => app?.close());

const asAdmin = (fn: (env: Environment) => Promise<any>): Promise<any> => app.withEnv(2, fn);
const asUser = (fn: (env: Environment) => Promise<any>): Promise<any> => app.withEnv(userUid, fn);

test.serial('an administrator creates, reads, renames, archives and deletes projects', async (t) => {
  await asAdmin(async (env) => {
    const projects = env.model('project.project');
    const p = await projects.create({ name: 'Website', description: '<p>New site<script>x()</script></p>' });
    t.like((await p.read(['name', 'active', 'description', 'display_name']))[0], { name: 'Website', active: true, description: '<p>New site</p>', display_name: 'Website' });
    await p.write({ name: 'Web portal' });
    t.deepEqual(await projects.name_search('portal'), [[p.ids[0], 'Web portal']]);
    await p.write({ active: false });
    t.is(await projects.search_count([['id', '=', p.ids[0]]]), 0);
    t.is(await projects.withContext({ active_test: false }).search_count([['id', '=', p.ids[0]]]), 1);
    await p.unlink();
    t.is(await projects.withContext({ active_test: false }).search_count([['id', '=', p.ids[0]]]), 0);
  });
});

test.serial('projects are ordered by name and need one', async (t) => {
  await asAdmin(async (env) => {
    const projects = env.model('project.project');
    await projects.create([{ name: 'Zeta' }, { name: 'Alpha' }, { name: 'Mid' }]);
    const names = (await projects.search_read([['name', 'in', ['Zeta', 'Alpha', 'Mid']]], ['name'])).map((r) => r.name);
    t.deepEqual(names, ['Alpha', 'Mid', 'Zeta']);
    t.true((await t.throwsAsync(projects.create({ description: 'nameless' }))) instanceof ValidationError);
  });
});

test.serial('internal users read projects but cannot create, change or delete them', async (t) => {
  const id = await asAdmin(async (env) => (await env.model('project.project').create({ name: 'Readable' })).ids[0]);
  await asUser(async (env) => {
    const projects = env.model('project.project');
    t.deepEqual((await projects.browse([id]).read(['name']))[0].name, 'Readable');
    t.true((await t.throwsAsync(projects.create({ name: 'Mine' }))) instanceof AccessError);
    t.true((await t.throwsAsync(projects.browse([id]).write({ name: 'Changed' }))) instanceof AccessError);
    t.true((await t.throwsAsync(projects.browse([id]).unlink())) instanceof AccessError);
  });
});

test.serial('an administrator manages departments with a parent and a manager', async (t) => {
  await asAdmin(async (env) => {
    const deps = env.model('hr.department');
    const it = await deps.create({ name: 'IT', manager_id: 2 });
    const support = await deps.create({ name: 'Support', parent_id: it.ids[0] });
    const [s] = await support.read(['name', 'parent_id', 'manager_id', 'active']);
    t.like(s, { name: 'Support', manager_id: false, active: true });
    t.deepEqual(s.parent_id, [it.ids[0], 'IT']);
    const [i] = await it.read(['child_ids', 'manager_id']);
    t.deepEqual(i.child_ids, support.ids);
    t.deepEqual(i.manager_id, [2, 'Administrator']);
    t.deepEqual((await deps.search([['id', 'child_of', it.ids[0]]])).ids.sort(), [...it.ids, ...support.ids].sort());
    await support.write({ name: 'Service Desk' });
    t.is((await support.read(['display_name']))[0].display_name, 'Service Desk');
    await support.unlink();
    t.is(await deps.search_count([['id', '=', support.ids[0]]]), 0);
  });
});

test.serial('a department cannot be its own ancestor', async (t) => {
  await asAdmin(async (env) => {
    const deps = env.model('hr.department');
    const a = await deps.create({ name: 'A' });
    const b = await deps.create({ name: 'B', parent_id: a.ids[0] });
    t.true((await t.throwsAsync(a.write({ parent_id: b.ids[0] }))) instanceof ValidationError);
    t.true((await t.throwsAsync(a.write({ parent_id: a.ids[0] }))) instanceof ValidationError);
  });
  await asAdmin(async (env) => {
    const [a] = await env.model('hr.department').search_read([['name', '=', 'A']], ['parent_id']);
    t.is(a.parent_id, false);
  });
});

test.serial('internal users read departments but cannot create, change or delete them', async (t) => {
  const id = await asAdmin(async (env) => (await env.model('hr.department').create({ name: 'Sales' })).ids[0]);
  await asUser(async (env) => {
    const deps = env.model('hr.department');
    t.is((await deps.browse([id]).read(['name']))[0].name, 'Sales');
    t.true((await t.throwsAsync(deps.create({ name: 'Mine' }))) instanceof AccessError);
    t.true((await t.throwsAsync(deps.browse([id]).write({ name: 'Changed' }))) instanceof AccessError);
    t.true((await t.throwsAsync(deps.browse([id]).unlink())) instanceof AccessError);
  });
});

test.serial('both addons ship list, form and search views and a window action', async (t) => {
  await asAdmin(async (env) => {
    for (const [model, action] of [['project.project', 'project.action_project_project'], ['hr.department', 'hr.action_hr_department']]) {
      const [a] = await (await env.ref(action)).read(['res_model', 'view_mode', 'search_view_id']);
      t.like(a, { res_model: model, view_mode: 'list,form' });
      t.truthy(a.search_view_id);
      const got = await env.model(model).get_views([[false, 'list'], [false, 'form'], [false, 'search']]) as any;
      for (const type of ['list', 'form', 'search']) t.truthy(got.views[type].id, `${model} ${type} view`);
      t.true(String(got.views.form.arch).includes('name="name"'));
    }
  });
});

test.serial('project and hr strings have Spanish translations', async (t) => {
  await app.withEnv(2, async (env) => {
    const p = await env.model('project.project').fields_get(['name']);
    const d = await env.model('hr.department').fields_get(['parent_id', 'manager_id']);
    t.is(p.name.string, 'Nombre');
    t.is(d.parent_id.string, 'Departamento padre');
    t.is(d.manager_id.string, 'Responsable');
  }, { lang: 'es_ES' });
  t.is(app.registry.translate('es_ES', 'Projects'), 'Proyectos');
  t.is(app.registry.translate('es_ES', 'Departments'), 'Departamentos');
});

test.serial('every user-visible string of project and hr has a Spanish translation', async (t) => {
  const msgs = await extractStrings(app.db.knex, app.registry, ['project', 'hr']);
  t.true(msgs.length > 10, 'the extractor found the strings');
  t.deepEqual(missingTranslations(app.registry, 'es', msgs).map((m) => `${m.where}: ${m.text}`), []);
});
