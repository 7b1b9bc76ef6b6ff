// Topology text → yaml Document, whole or by the fast reader; both with YAML_PARSE_OPTIONS.
import { parseDocument, type Document } from 'yaml';
import { fastParseYaml } from './fast';
import { YAML_PARSE_OPTIONS } from './options';

/** A whole parse with the `yaml` package: the reference every faster path must agree with. */
export function parseYamlDocument(text: string): Document.Parsed {
  return parseDocument(text, YAML_PARSE_OPTIONS);
}

/**
 * The fastest exact parse of one text: the fast reader for plain block YAML (nearly every topology
 * file), else a whole parse. The fast reader keeps no comments: parse for editing with
 * parseYamlDocument.
 */
export function parseYaml(text: string): Document {
  return fastParseYaml(text)?.document ?? parseYamlDocument(text);
}

/** yaml's messages without the trailing " at line L, column C" and code frame (a diagnostic's range already says where). */
export function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}
