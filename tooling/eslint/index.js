// Shared lint rules for every workspace: strict, type-aware, ESM with `node:` imports.
import n from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';
import layers from './layers.js';

/** @type {import('typescript-eslint').ConfigArray} */
export default tseslint.config(
	{
		ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**', '**/*.d.ts'],
	},
	...tseslint.configs.recommendedTypeChecked,
	{
		languageOptions: {
			parserOptions: {
				projectService: {
					allowDefaultProject: ['*.js', '*.mjs', 'bench/*.js', 'scripts/*.js'],
				},
			},
		},
		plugins: { n },
		rules: {
			'n/prefer-node-protocol': 'error',
			'@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
			'@typescript-eslint/consistent-type-exports': 'error',
			'@typescript-eslint/no-import-type-side-effects': 'error',
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'@typescript-eslint/only-throw-error': 'error',
			'no-console': 'off',
			eqeqeq: ['error', 'smart'],
		},
	},
	{
		files: ['**/*.js', '**/*.mjs'],
		...tseslint.configs.disableTypeChecked,
	},
	{
		files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
		rules: {
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-argument': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			'@typescript-eslint/no-unsafe-return': 'off',
			'@typescript-eslint/no-non-null-assertion': 'off',
		},
	},
	...layers,
);
