// The linter's rules (npm eslint, run by ./dev test): the recommended set, with the names each
// kind of file may use.
import js from '@eslint/js';
import globals from 'globals';
export default [
  { ignores: ['pkg/**', 'dist/**', 'node_modules/**', 'target/**'] },
  js.configs.recommended,
  {
    files: ['www/**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.worker, ...globals.serviceworker },
    },
  },
  // The tests and scripts run in node, and hand functions to the page (page.evaluate): both sets of names.
  {
    files: ['tests/**/*.mjs', 'bench/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
  },
];
