// ESLint for both front ends: `jlpm run lint` at the repository root (tests/test_lint.py runs it).
// - nbextension/*.js: the classic Notebook's AMD modules, loaded by RequireJS as plain scripts.
//   They are written in ES5 syntax (var, function expressions) and use only ES2015's Promise
//   global beyond it, so they are parsed as ES5 with the browser's and ES2015's globals.
// - labextension/src/**/*.ts: the JupyterLab 4 / Notebook 7 extension, with typescript-eslint;
//   labextension/src/core/ is the publishing core both UIs share, which may not import a UI
//   framework (it is built a second time as AMD for the classic Notebook).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default [
  {
    // Built output, installed packages and virtualenvs are never ours to lint.
    ignores: [
      '**/node_modules/',
      'labextension/lib/',
      'labextension/amd/',
      'rsconnect_jupyter/labextension/',
      'build/',
      '.venv*/'
    ]
  },
  {
    files: ['nbextension/**/*.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 5,
      sourceType: 'script',
      globals: {
        ...globals.browser,
        Promise: 'readonly',
        // RequireJS, and the notebook's page globals (the modules mostly take them through define).
        define: 'readonly',
        require: 'readonly',
        requirejs: 'readonly',
        Jupyter: 'readonly',
        IPython: 'readonly',
        $: 'readonly',
        jQuery: 'readonly'
      }
    }
  },
  ...tseslint.configs.recommended.map(config => ({
    ...config,
    files: ['labextension/src/**/*.ts']
  })),
  {
    files: ['labextension/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@jupyterlab/*', '@lumino/*', 'jquery', 'base/js/*'], message: 'The core serves both UIs: no UI framework here.' }
          ]
        }
      ]
    }
  }
];
