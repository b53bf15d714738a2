// ESLint with typescript-eslint's type-checked recommended rules: the compiler's view of the code
// catches what matters here (a promise left unawaited, an `any` leaking out of a parse).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', '.serverless/', '.esbuild/', 'dist/', 'reports/', 'src/render/templates.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Plain JavaScript (bin/, scripts/*.mjs, this file) runs under Node: its globals are defined.
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
);
