import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Checks bodies against openapi/provider-contract.yaml (OpenAPI 3.1, JSON Schema 2020-12).
 * `path` may be the spec's template (`/appointments/{id}/cancel`) or a real request path, with or without
 * its base (`/sandbox/demo-clinic/api/v1/appointments/50001/cancel?x=1`). Each returns [] when valid, else
 * one readable line per problem.
 */

type Json = Record<string, unknown>;

export const contractDocument: Json = parse(readFileSync(new URL('../../openapi/provider-contract.yaml', import.meta.url), 'utf8')) as Json;

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const DOC_ID = 'provider-contract.yaml';
ajv.addSchema(contractDocument, DOC_ID);

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const at = (pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), contractDocument);

/** Follows a local `$ref` (responses, request bodies, path items) to the pointer of what it names. */
function deref(pointer: string): string {
  for (let i = 0; i < 10; i++) {
    const node = at(pointer) as Json | undefined;
    const ref = node?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return pointer;
    pointer = ref.slice(1);
  }
  return pointer;
}

const templates = Object.keys((contractDocument.paths ?? {}) as Json).map((t) => ({
  template: t,
  re: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The spec's path template for a template or a real path; undefined when none matches. */
export function matchPath(path: string): string | undefined {
  const bare = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  const exact = templates.find((t) => t.template === bare);
  if (exact) return exact.template;
  // try the longest suffix that matches a template (drops `/sandbox/x/api/v1`, `/api/v1`, `/v1`, …)
  const parts = bare.split('/');
  for (let i = 1; i < parts.length; i++) {
    const candidate = `/${parts.slice(i).join('/')}`;
    const hit = templates.find((t) => t.re.test(candidate));
    if (hit) return hit.template;
  }
  return undefined;
}

const cache = new Map<string, ValidateFunction>();
function validatorAt(pointer: string): ValidateFunction {
  let v = cache.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
    cache.set(pointer, v);
  }
  return v;
}

function run(pointer: string, body: unknown): string[] {
  const v = validatorAt(pointer);
  if (v(body)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}

function operationPointer(path: string, method: string): { pointer?: string; problem?: string } {
  const template = matchPath(path);
  if (!template) return { problem: `no path in the contract matches ${path}` };
  const pointer = `/paths/${escape(template)}/${method.toLowerCase()}`;
  if (!at(pointer)) return { problem: `${method.toUpperCase()} ${template} is not in the contract` };
  return { pointer };
}

/** Validates a response body against the schema the contract documents for that status. */
export function validateResponse(path: string, method: string, status: number, body: unknown): string[] {
  const op = operationPointer(path, method);
  if (!op.pointer) return [op.problem!];
  const responses = at(`${op.pointer}/responses`) as Json | undefined;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses && k in responses);
  if (!key) return [`status ${status} is not documented for ${method.toUpperCase()} ${matchPath(path)}`];
  const response = deref(`${op.pointer}/responses/${escape(key)}`);
  const schema = `${response}/content/${escape('application/json')}/schema`;
  if (!at(schema)) return body === undefined || body === '' ? [] : [`status ${status} of ${method.toUpperCase()} ${matchPath(path)} documents no JSON body`];
  return run(schema, body);
}

/** Validates a request body against the operation's JSON request body schema. */
export function validateRequestBody(path: string, method: string, body: unknown): string[] {
  const op = operationPointer(path, method);
  if (!op.pointer) return [op.problem!];
  const requestBody = deref(`${op.pointer}/requestBody`);
  const rb = at(requestBody) as Json | undefined;
  if (!rb) return body === undefined ? [] : [`${method.toUpperCase()} ${matchPath(path)} takes no request body`];
  if (body === undefined) return rb.required === true ? ['a request body is required'] : [];
  return run(`${requestBody}/content/${escape('application/json')}/schema`, body);
}

/** Validates a provider webhook body (the envelope of contract §4). */
export function validateWebhook(body: unknown): string[] {
  return run('/components/schemas/WebhookEnvelope', body);
}
