// Edits of the services section (swarm services): create one, as `docker service create` would be written.
import { findPair, topPair } from './layout';
import { addEntry, insertSection } from './primitives';
import { applySplice, editTarget, YamlEditError, type EditTarget, type TextSplice } from './splice';
import { quoted, raw, type Body } from './values';

export interface NewService {
  name: string;
  image: string;
  /** Written when not 1 (Docker's default). */
  replicas?: number;
  /** Overlay networks, in order (--network). */
  networks?: string[];
  /** Published on every node's routing mesh (--publish), as -p text. */
  ports?: string[];
  /** Written when dnsrr (vip is the default). */
  endpointMode?: 'vip' | 'dnsrr';
  expose?: string[];
}

/** `services:` gets the new service (the section is created, before `expect:`, when missing). */
export function addServiceEdit({ text, doc }: EditTarget, s: NewService): TextSplice {
  const body: Body = [['image', s.image]];
  if (s.replicas !== undefined && s.replicas !== 1) body.push(['replicas', raw(String(s.replicas))]);
  if (s.networks?.length) body.push(['networks', s.networks]);
  if (s.ports?.length) body.push(['ports', s.ports.map(quoted)]);
  if (s.endpointMode === 'dnsrr') body.push(['endpoint_mode', 'dnsrr']);
  if (s.expose?.length) body.push(['expose', s.expose.map(quoted)]);
  const section = topPair(doc, 'services');
  if (!section) return insertSection(text, doc, 'services', [[s.name, body]], ['expect']);
  if (findPair(section.value, s.name)) throw new YamlEditError(`The file already has a service named "${s.name}".`);
  return addEntry(text, section, s.name, body, true);
}

export function addService(text: string, s: NewService): string {
  return applySplice(text, addServiceEdit(editTarget(text), s));
}
