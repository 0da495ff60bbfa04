// A WOPI editor's discovery document (`GET <editor>/hosting/discovery`), read the way Drive's
// configure_wopi reads it (so that a file opens here exactly when it would open in Drive): only the
// first net-zone; actions mapped by extension, or by the app's name as a mimetype when ext is "";
// a later action for the same extension replaces an earlier one. Unlike Drive, view actions are
// kept too (a viewer's launch uses them), and a proof-key without its old pair is read, not a
// crash. The operator's own parser (operator/src/ports/wopi/discovery.ts) judges a document for
// the operator; this one only extracts what the host needs, and never imports operator code.
import type { KeyObject } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { ProofKeyError, proofKeysFromAttributes } from './proof-key.js';

export type ActionName = 'edit' | 'view';

export interface ActionUrls {
  edit?: string;
  view?: string;
}

export interface EditorDiscovery {
  /** The discovery URL it came from. */
  url: string;
  byExtension: ReadonlyMap<string, ActionUrls>;
  byMimetype: ReadonlyMap<string, ActionUrls>;
  /** Absent when the editor publishes none: then its requests are not signature-checked. */
  proofKeys?: { current: KeyObject; old: KeyObject };
}

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

const ATTRIBUTES = ':@';

const parser = new XMLParser({
  // Document order matters: Drive reads the first net-zone.
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  // The five XML entities only (urlsrc holds &amp;); no DOCTYPE gets this far.
  processEntities: true,
  htmlEntities: false,
});

function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const elements: XmlElement[] = [];
  for (const node of nodes as unknown[]) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    const name = Object.keys(record).find(
      (key) => key !== ATTRIBUTES && !key.startsWith('#') && !key.startsWith('?'),
    );
    if (name === undefined) continue;
    const attributes: Record<string, string> = {};
    const raw = record[ATTRIBUTES];
    if (typeof raw === 'object' && raw !== null) {
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value === 'string') attributes[key] = value;
      }
    }
    elements.push({ name, attributes, children: toElements(record[name]) });
  }
  return elements;
}

function findFirst(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.name === name) return child;
    const found = findFirst(child, name);
    if (found) return found;
  }
  return undefined;
}

function absoluteHttp(urlsrc: string): boolean {
  try {
    const { protocol } = new URL(urlsrc);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function parseDiscovery(xml: string, url: string): EditorDiscovery {
  // Drive parses with defusedxml, which refuses these; discovery never needs them.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new DiscoveryError(`${url}: declares a DOCTYPE or entities`);
  let root: XmlElement | undefined;
  try {
    root = toElements(parser.parse(xml)).find((element) => element.name === 'wopi-discovery');
  } catch (error) {
    throw new DiscoveryError(`${url}: not XML`, { cause: error });
  }
  if (!root) throw new DiscoveryError(`${url}: no <wopi-discovery> root`);
  const zone = root.children.find((child) => child.name === 'net-zone');
  if (!zone) throw new DiscoveryError(`${url}: no <net-zone>`);

  const byExtension = new Map<string, ActionUrls>();
  const byMimetype = new Map<string, ActionUrls>();
  for (const app of zone.children) {
    const appName = app.attributes.name;
    if (app.name !== 'app' || appName === undefined) continue;
    for (const action of app.children) {
      const { name, ext } = action.attributes;
      const urlsrc = action.attributes.urlsrc?.trim();
      if (action.name !== 'action' || (name !== 'edit' && name !== 'view')) continue;
      // Without ext Drive files the action under None, which no file matches.
      if (ext === undefined || urlsrc === undefined || !absoluteHttp(urlsrc)) continue;
      const table = ext === '' ? byMimetype : byExtension;
      const key = ext === '' ? appName : ext.toLowerCase();
      table.set(key, { ...table.get(key), [name]: urlsrc });
    }
  }

  const proofKey = findFirst(root, 'proof-key');
  let proofKeys: EditorDiscovery['proofKeys'];
  if (proofKey) {
    try {
      proofKeys = proofKeysFromAttributes(proofKey.attributes);
    } catch (error) {
      // An editor that publishes a key signs with it: ignoring a broken one would turn the check
      // off, so the document is refused instead.
      if (error instanceof ProofKeyError)
        throw new DiscoveryError(`${url}: ${error.message}`, { cause: error });
      throw error;
    }
  }
  return { url, byExtension, byMimetype, ...(proofKeys ? { proofKeys } : {}) };
}
