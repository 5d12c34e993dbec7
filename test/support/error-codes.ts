/**
 * Finds the error codes written in the sources, by reading their syntax (the TypeScript compiler's
 * parser), not by running them. A code is an upper snake case string (`RUN_NOT_FOUND`, `TIMEOUT`)
 * written where an error or a failure is made:
 * - an argument of `new SomethingError(…)` / `…Refusal` / `…Failure` / `…Fault`, or of `super(…)`
 *   in a class (the first level, and an object argument's `code`);
 * - the first argument of a call to `fail`, `hubError`, `usageError`, `problem`, `error`, `warning`
 *   or `invalid` (helpers that make an error or a problem from a code);
 * - the value of a `code:` property of an object literal (results, outcomes, problems);
 * - the value of a class's `code` property, a `code` variable, a constant named as its own value
 *   (`WRITE_NOT_CONFIGURED = 'WRITE_NOT_CONFIGURED'`), an object literal assigned to `codes` or to
 *   a `…CODES` constant, and a string union type named `…Code` or typing a `code` property.
 * Through `a ? 'X' : 'Y'`, `a ?? 'X'` and `a || 'X'` both sides count. A template literal whose text
 * starts with a code's prefix (`HTTP_${status}`) is reported as its prefix with `{…}` after it.
 *
 * What it cannot see: a code held in a variable named otherwise, passed through a function other
 * than those above, read from data (a target's answer, a JSON file), built by a function
 * (`refusalCode(reason)`, `SSO_${…}`), or a template's value (which `HTTP_` code is thrown).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const TEMPLATE_HEAD = /^[A-Z][A-Z0-9_]*_$/;
const ERROR_CLASS = /(Error|Refusal|Failure|Fault)$/;
const CODE_HELPER = /(^|\.)(fail|hubError|usageError|problem|error|warning|invalid)$/;

export interface FoundCode {
  /** The code, or a template's prefix followed by `{…}` (`HTTP_{…}`). */
  code: string;
  /** `path:line` from the repository's root. */
  where: string;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')) yield path;
  }
}

const unwrap = (e: ts.Expression): ts.Expression =>
  ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)
    ? unwrap(e.expression)
    : e;

/** The codes an expression may evaluate to, as far as its syntax tells. */
function codesOf(expression: ts.Expression, found: (code: string) => void): void {
  const e = unwrap(expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    if (CODE.test(e.text)) found(e.text);
  } else if (ts.isTemplateExpression(e)) {
    if (TEMPLATE_HEAD.test(e.head.text)) found(`${e.head.text}{…}`);
  } else if (ts.isConditionalExpression(e)) {
    codesOf(e.whenTrue, found);
    codesOf(e.whenFalse, found);
  } else if (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  ) {
    codesOf(e.left, found);
    codesOf(e.right, found);
  } else if (ts.isObjectLiteralExpression(e)) {
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText() === 'code') codesOf(p.initializer, found);
    }
  }
}

function literalTypes(type: ts.Node, found: (code: string) => void): void {
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal) && CODE.test(type.literal.text)) {
    found(type.literal.text);
  }
  ts.forEachChild(type, (child) => literalTypes(child, found));
}

export function findErrorCodes(root: string, dirs: readonly string[]): FoundCode[] {
  const codes: FoundCode[] = [];
  for (const dir of dirs) {
    for (const file of sourceFiles(join(root, dir))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        const at = (code: string) => {
          const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          codes.push({ code, where: `${relative(root, file)}:${line}` });
        };
        if (ts.isNewExpression(node) && ERROR_CLASS.test(node.expression.getText(source))) {
          for (const argument of node.arguments ?? []) codesOf(argument, at);
        } else if (ts.isCallExpression(node)) {
          if (node.expression.kind === ts.SyntaxKind.SuperKeyword) {
            for (const argument of node.arguments) codesOf(argument, at);
          } else if (CODE_HELPER.test(node.expression.getText(source)) && node.arguments[0]) {
            codesOf(node.arguments[0], at);
          }
        } else if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'code') {
          codesOf(node.initializer, at);
        } else if (ts.isPropertyDeclaration(node) && node.name.getText(source) === 'code') {
          if (node.initializer) codesOf(node.initializer, at);
          if (node.type) literalTypes(node.type, at);
        } else if (
          (ts.isPropertySignature(node) || ts.isParameter(node)) &&
          node.name.getText(source) === 'code'
        ) {
          if (node.type) literalTypes(node.type, at);
        } else if (ts.isTypeAliasDeclaration(node) && /Code$/.test(node.name.text)) {
          literalTypes(node.type, at);
        }
        if ((ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node)) && node.initializer) {
          const name = node.name.getText(source);
          const value = unwrap(node.initializer);
          if (ts.isVariableDeclaration(node) && /^codes?$/i.test(name)) codesOf(value, at);
          if (ts.isStringLiteral(value) && value.text === name) codesOf(value, at);
          if (/(^codes$|CODES$)/.test(name) && ts.isObjectLiteralExpression(value)) {
            for (const p of value.properties) if (ts.isPropertyAssignment(p)) codesOf(p.initializer, at);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return codes;
}
