// Parses each Mermaid file given on the command line with the real Mermaid parser (mermaid.parse),
// prints "OK <file>" or "ERROR <file>: <message>" per file, and exits 1 when any file fails.
// Mermaid expects a browser: jsdom provides the window and document that DOMPurify and mermaid read.
import { readFile } from 'node:fs/promises';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ['Element', 'HTMLElement', 'Node', 'DocumentFragment', 'DOMParser', 'NodeFilter', 'NamedNodeMap', 'HTMLTemplateElement']) {
  if (globalThis[name] === undefined && dom.window[name] !== undefined) {
    globalThis[name] = dom.window[name];
  }
}
if (globalThis.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', { value: dom.window.navigator, configurable: true });
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs <file.mmd>...');
  process.exit(2);
}

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = 0;
for (const file of files) {
  try {
    const text = await readFile(file, 'utf8');
    const result = await mermaid.parse(text);
    if (!result) {
      throw new Error('mermaid.parse returned no result');
    }
    console.log(`OK ${file} (${result.diagramType})`);
  } catch (error) {
    failed++;
    const message = String(error?.message ?? error).replace(/\r?\n/g, ' | ');
    console.log(`ERROR ${file}: ${message}`);
  }
}

console.log(`${files.length - failed} parsed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
