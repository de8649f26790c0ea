/**
 * What the running mail gateway was configured with (config `mail_domain`, `mail_from`),
 * registered per registry by the mail service at start, so that code running inside a
 * request (re-processing a kept message) routes as the listener does.
 */
import type { Environment } from '../../../core/orm/index.ts';
import { mailDomain, setConfiguredMailDomain } from '../tools.ts';
import type { GatewaySettings } from './route.ts';

const settings = new WeakMap<object, GatewaySettings>();

export function setGatewaySettings(registry: object, value: GatewaySettings | null): void {
  if (value) settings.set(registry, value);
  else settings.delete(registry);
  setConfiguredMailDomain(registry, value ? value.domains[0] : null);
}

/** The registered settings, else the mail domain of the database and notifications@ it. */
export async function gatewaySettings(env: Environment): Promise<GatewaySettings> {
  const found = settings.get(env.registry);
  if (found) return found;
  const domain = await mailDomain(env);
  return { domains: [domain], fromAddress: `notifications@${domain}` };
}

/** `mail_domain` (comma-separated) → lower-case domains; `mail_from` or notifications@<first>. */
export function settingsFromConfig(config: { mail_domain: string; mail_from?: string }): GatewaySettings {
  const domains = config.mail_domain.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  if (!domains.length) domains.push('localhost');
  return { domains, fromAddress: (config.mail_from || `notifications@${domains[0]}`).trim().toLowerCase() };
}
