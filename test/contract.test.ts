import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Static checks over the real source files: the Engine contract stays types
// only and free of implementation imports, and the SDK reaches engines
// through it alone. Parsed with the TypeScript compiler, not with regexes,
// so multi-line and re-export statements count too.

const SRC = path.resolve(import.meta.dirname, '../src');
const API = path.join(SRC, 'engine/api');
const ERRORS = path.join(SRC, 'errors.ts');

interface ImportEdge {
  from: string;
  specifier: string;
  /** The resolved `.ts` file for a relative specifier. */
  target?: string;
  typeOnly: boolean;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function edge(file: string, specifier: string, typeOnly: boolean): ImportEdge {
  const target = specifier.startsWith('.') ? path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')) : undefined;
  return { from: path.relative(SRC, file), specifier, typeOnly, ...(target ? { target } : {}) };
}

/** Every module a file names: static imports, re-exports and dynamic `import()`. */
function importsOf(file: string): ImportEdge[] {
  const source = parse(file);
  const edges: ImportEdge[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      edges.push(edge(file, node.moduleSpecifier.text, typeOnly));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push(edge(file, node.moduleSpecifier.text, node.isTypeOnly));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      edges.push(edge(file, arg && ts.isStringLiteral(arg) ? arg.text : '<computed>', false));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Top-level statements of a contract file that are not types: runtime code. */
function runtimeStatements(file: string): string[] {
  return parse(file)
    .statements.filter(
      (s) =>
        !ts.isInterfaceDeclaration(s) &&
        !ts.isTypeAliasDeclaration(s) &&
        !(ts.isImportDeclaration(s) && s.importClause?.isTypeOnly) &&
        !(ts.isExportDeclaration(s) && s.isTypeOnly),
    )
    .map((s) => `${path.relative(SRC, file)}: ${s.getText().split('\n')[0]}`);
}

const apiFiles = tsFiles(API);

describe('the Engine contract (src/engine/api)', () => {
  it('has one file per resource, an index and the Engine', () => {
    const names = apiFiles.map((f) => path.basename(f)).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'containers.ts',
        'engine.ts',
        'exec.ts',
        'files.ts',
        'images.ts',
        'index.ts',
        'logs.ts',
        'networks.ts',
        'volumes.ts',
      ]),
    );
  });

  it('imports nothing but its own files and the errors module (no Node module: its streams are structural types)', () => {
    const outside = apiFiles
      .flatMap(importsOf)
      .filter((e) => e.target === undefined || (!(e.target.startsWith(API + path.sep) && fs.existsSync(e.target)) && e.target !== ERRORS));
    expect(outside).toEqual([]);
  });

  it('holds types only: interfaces, type aliases and type-only imports and exports', () => {
    expect(apiFiles.flatMap(runtimeStatements)).toEqual([]);
  });

  it('is what the package root exports', () => {
    expect(importsOf(path.join(SRC, 'index.ts')).filter((e) => e.target === path.join(API, 'index.ts'))).toEqual([
      expect.objectContaining({ typeOnly: true }),
    ]);
  });
});

/**
 * Engine modules the SDK may use besides the contract: pure checks of a spec
 * and host-side helpers that hold no backend (no local or docker code).
 */
const SDK_ALLOWED = new Set(
  [
    'engine/cgroups/limit-checks.ts',
    'engine/container/port-checks.ts',
    'engine/container/spec-field.ts',
    'engine/container/validate-spec.ts',
    'engine/paths.ts',
    'engine/select/testcontainers-properties.ts',
    'engine/state/file-lock.ts',
    'engine/state/process-end.ts',
  ].map((f) => path.join(SRC, f)),
);

describe('the SDK', () => {
  it('reaches engines through the contract only (the engine provider selects and constructs the default one)', () => {
    const sdk = path.join(SRC, 'sdk');
    const provider = path.join(sdk, 'engine-provider.ts');
    const stray = tsFiles(sdk)
      .flatMap(importsOf)
      .filter((e) => e.target?.startsWith(path.join(SRC, 'engine') + path.sep))
      .filter((e) => !e.target?.startsWith(API + path.sep) && !SDK_ALLOWED.has(e.target as string))
      .filter((e) => !(path.join(SRC, e.from) === provider && /\/engine\/(local|docker|select)\//.test(e.target as string)));
    expect(stray.map((e) => `${e.from} -> ${e.specifier}`)).toEqual([]);
  });
});

/** Import cycles among `files` (each as the chain of files, relative to src/), found by a depth-first walk. */
function cycles(files: string[]): string[] {
  const graph = new Map(files.map((f) => [f, importsOf(f).flatMap((e) => (e.target && fs.existsSync(e.target) ? [e.target] : []))]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open')
        found.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(SRC, f)).join(' -> '));
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('the engines', () => {
  it('import in no cycle (engine.ts once sat in one with the volume manager and the container store)', () => {
    const backend = ['engine', 'net', 'volumes'].flatMap((dir) => tsFiles(path.join(SRC, dir)));
    expect(cycles(backend)).toEqual([]);
  });
});
