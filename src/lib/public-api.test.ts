// The public API is curated: every type that a public signature names must itself be exported
// from one of the package's entry points (package.json "exports"), or a user cannot write it down.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const libDir = join(root, 'src/lib');

// package.json "exports" -> the source file of each entry point.
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
  return Object.values(pkg.exports)
    .filter((e): e is { default: string } => typeof e === 'object')
    .map((e) => join(root, e.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')));
}

function program(entries: string[]): ts.Program {
  return ts.createProgram(entries, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023, strict: true, types: ['node'], noEmit: true });
}

function resolveAlias(checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

// The parts of a declaration a user of it sees: not function bodies, not private members.
function publicTypeNodes(decl: ts.Node): ts.Node[] {
  if (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) return [...decl.parameters.map((p) => p.type), decl.type, ...(decl.typeParameters ?? [])].filter((n): n is ts.TypeNode => n !== undefined);
  if (ts.isClassDeclaration(decl)) {
    const out: ts.Node[] = [...(decl.heritageClauses ?? [])];
    for (const m of decl.members) {
      const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
      if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword) || (m.name && ts.isPrivateIdentifier(m.name))) continue;
      if (ts.isConstructorDeclaration(m)) out.push(...m.parameters.filter((p) => !(ts.getModifiers(p) ?? []).some((x) => x.kind === ts.SyntaxKind.PrivateKeyword)).map((p) => p.type).filter((n): n is ts.TypeNode => n !== undefined));
      else if (ts.isMethodDeclaration(m)) out.push(...publicTypeNodes(m));
      else if (ts.isPropertyDeclaration(m) && m.type) out.push(m.type);
    }
    return out;
  }
  if (ts.isVariableDeclaration(decl)) return decl.type ? [decl.type] : [];
  if (ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) return [decl];
  return [];
}

function unexportedNames(): string[] {
  const entries = entryPoints();
  const prog = program(entries);
  const checker = prog.getTypeChecker();
  const exported = new Set<ts.Symbol>();
  const owners: Array<[string, ts.Symbol]> = [];
  for (const file of entries) {
    const sf = prog.getSourceFile(file);
    assert.ok(sf, `entry point ${file} (package.json exports) does not exist`);
    const mod = checker.getSymbolAtLocation(sf);
    assert.ok(mod, `${file} is not a module`);
    for (const s of checker.getExportsOfModule(mod)) {
      const target = resolveAlias(checker, s);
      exported.add(target);
      owners.push([s.name, target]);
    }
  }
  const problems = new Set<string>();
  const inLib = (d: ts.Declaration) => d.getSourceFile().fileName.startsWith(libDir);
  for (const [name, sym] of owners) {
    for (const decl of sym.declarations ?? []) {
      if (!inLib(decl)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
          const id = ts.isTypeReferenceNode(node) ? node.typeName : ts.isTypeQueryNode(node) ? node.exprName : node.expression;
          const ref = checker.getSymbolAtLocation(ts.isQualifiedName(id) ? id.right : id);
          const target = ref && resolveAlias(checker, ref);
          const d = target?.declarations?.[0];
          if (target && d && inLib(d) && !(target.flags & ts.SymbolFlags.TypeParameter) && !exported.has(target) && d.parent !== decl) {
            problems.add(`${target.name} (${relative(root, d.getSourceFile().fileName)}), named by the exported ${name}`);
          }
        }
        ts.forEachChild(node, visit);
      };
      for (const n of publicTypeNodes(decl)) visit(n);
    }
  }
  return [...problems].sort();
}

test('every type named in an exported signature is exported too', () => {
  const missing = unexportedNames();
  assert.deepEqual(missing, [], `export these from an entry point (or stop naming them):\n${missing.join('\n')}`);
});

test("docs/library.md names every export of the package root, and nothing else", () => {
  const prog = program([join(libDir, 'index.ts')]);
  const checker = prog.getTypeChecker();
  const sf = prog.getSourceFile(join(libDir, 'index.ts'));
  const mod = sf && checker.getSymbolAtLocation(sf);
  assert.ok(mod);
  const exported = checker.getExportsOfModule(mod).map((s) => s.name).sort();
  const doc = readFileSync(join(root, 'docs/library.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### The package root, name by name'));
  const listed = [...section.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1] ?? '').sort();
  assert.deepEqual(listed, exported);
});
