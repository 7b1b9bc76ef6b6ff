// ESLint flat config: the recommended JavaScript and typescript-eslint rules, plus the layer rules of
// shared/docs/style.md enforced as import restrictions (a wrong import fails `npm run lint`).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const vscodeOnlyInExtension = {
  name: 'vscode',
  message: 'Only src/extension/ imports `vscode`: the engine, topology, server, CLI and webview must run without VS Code.',
};

// The topology format has one home: only src/topology parses or writes YAML. Other layers take yaml's
// node types and guards from src/topology/yaml, edits and the writer from src/topology/edit.
const yamlOnlyInTopology = {
  name: 'yaml',
  message: 'Only src/topology imports `yaml`: parse with src/topology/yaml (node types and guards are re-exported there), edit and write with src/topology/edit; other layers work on specs.',
};

/** A `regex` pattern that forbids importing the named layers of src/ (relative imports like ../docker/x). */
const layers = (names, why) => ({ regex: `(^|/)(${names.join('|')})(/|$)`, message: why });

// Other layers see the engine through its public API (src/engine/index.ts), never its modules, so the
// engine can move code between its own files (ops/, trace/, drivers/<name>/) without touching them.
const engineThroughIndex = { regex: '(^|/)engine/.', message: 'Import the engine through src/engine/index.ts (`../engine`), its public API, not one of its modules.' };

// Modules of the extension that do not touch VS Code (tree nodes, diagram snapshot, tracing, checks of
// an action, live-host helpers): kept that way so unit tests read them directly, without an extension host.
const pureExtensionModules = [
  'src/extension/commands.ts', 'src/extension/commands/liveArgs.ts', 'src/extension/composeFiles.ts', 'src/extension/composeTree.ts', 'src/extension/diagramSnapshot.ts',
  'src/extension/driverChoices.ts', 'src/extension/elementIds.ts', 'src/extension/engineTracer.ts',
  'src/extension/textDiff.ts', 'src/extension/topologyChanges.ts', 'src/extension/tracing.ts',
  'src/extension/treeNodes.ts', 'src/extension/swarmTree.ts', 'src/extension/webviewHtml.ts', 'src/extension/live/applyPlanText.ts',
  'src/extension/live/driftRanges.ts', 'src/extension/live/endpoints.ts', 'src/extension/live/guard.ts',
  'src/extension/live/importName.ts', 'src/extension/live/liveHostConnection.ts',
  'src/extension/live/statusText.ts', 'src/extension/live/verifyReport.ts',
];
const extensionLayers = layers(['server', 'cli', 'webview'], 'The extension imports src/protocol, src/engine, src/topology, src/live and src/docker; the language server and the CLI are separate processes, the webview a separate bundle.');

// The engine (and the topology model on top of it) is pure: no I/O, so it runs the same in the extension
// host, the language server, the CLI, the webview and the benchmarks, and tests need no mocks.
const ioModules = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'os', 'tls',
  'worker_threads', 'cluster', 'dockerode'].map((name) => ({
  name,
  message: 'src/engine and src/topology are pure (no I/O): take data as arguments; I/O belongs to src/extension, src/cli, src/live or src/docker.',
}));
const noNodeBuiltins = { group: ['node:*'], message: 'src/engine and src/topology are pure: no node: modules.' };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.cache/', 'test-results/', '*.vsix'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension] }],
    },
  },
  {
    // The extension and the suite that runs inside the extension host are the only code that sees `vscode`.
    files: ['src/extension/**', 'test/extension/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/extension/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [yamlOnlyInTopology], patterns: [extensionLayers, engineThroughIndex] }] },
  },
  {
    files: pureExtensionModules,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'This module of src/extension is pure (no `vscode`): unit tests read it without an extension host. Keep VS Code calls in the command or view that uses it.' }, yamlOnlyInTopology],
        patterns: [extensionLayers, engineThroughIndex],
      }],
    },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, ...ioModules, yamlOnlyInTopology],
        patterns: [noNodeBuiltins, layers(['topology', 'docker', 'extension', 'server', 'cli', 'protocol', 'webview'], 'src/engine is the bottom layer: it imports no other part of the project.')],
      }],
    },
  },
  {
    files: ['src/topology/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, ...ioModules],
        patterns: [noNodeBuiltins, layers(['docker', 'extension', 'server', 'cli', 'protocol', 'webview'], 'src/topology imports only src/engine.'), engineThroughIndex],
      }],
    },
  },
  {
    files: ['src/server/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, yamlOnlyInTopology],
        patterns: [layers(['docker', 'extension', 'cli', 'webview'], 'The language server imports only src/topology and src/engine.'), engineThroughIndex],
      }],
    },
  },
  {
    // The Docker client: plain data about a host, nothing about topology files (that is src/live's).
    files: ['src/docker/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, yamlOnlyInTopology],
        patterns: [layers(['topology', 'live', 'extension', 'server', 'cli', 'webview'], 'src/docker imports only the engine\'s model types.'), engineThroughIndex],
      }],
    },
  },
  {
    // Live hosts in CNM terms (replay, import, drift, plan, verify): on top of the client, the topology and the engine.
    files: ['src/live/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, yamlOnlyInTopology],
        patterns: [layers(['extension', 'server', 'cli', 'webview'], 'src/live imports only src/topology, src/engine and src/docker.'), engineThroughIndex],
      }],
    },
  },
  {
    // Lab hosts (dockerd in network namespaces) and a topology played on them: the CLI ships it (`cnm lab`),
    // the Docker tests use it through test/docker/harness.
    files: ['src/lab/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, yamlOnlyInTopology],
        patterns: [layers(['docker', 'live', 'extension', 'server', 'cli', 'webview'], 'src/lab imports only src/topology and src/engine.'), engineThroughIndex],
      }],
    },
  },
  {
    // The command line: a user of every layer below, never of the extension, the server or the webview.
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, yamlOnlyInTopology],
        patterns: [layers(['extension', 'server', 'webview'], 'src/cli imports only src/topology, src/engine, src/live, src/docker and src/lab.'), engineThroughIndex],
      }],
    },
  },
  {
    files: ['src/protocol/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, ...ioModules, yamlOnlyInTopology],
        patterns: [noNodeBuiltins, layers(['docker', 'extension', 'server', 'cli', 'webview'], 'src/protocol holds message types only.'), engineThroughIndex],
      }],
    },
  },
  {
    // The webview runs in a browser frame: DOM globals, no Node, and it talks to the host only through src/protocol.
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeOnlyInExtension, ...ioModules, yamlOnlyInTopology],
        patterns: [
          { group: ['node:*'], message: 'The webview runs in a browser.' },
          layers(['engine', 'topology', 'docker', 'extension', 'server', 'cli'], 'The webview imports only src/protocol: it renders snapshots the host sends.'),
        ],
      }],
    },
  },
);
