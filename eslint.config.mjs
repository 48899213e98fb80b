// ESLint with typescript-eslint's recommended rules; formatting is Prettier's job (npm run format).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'packages/*/lib/', '**/*.js', '!eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Tests and stubs read untyped CloudFormation JSON; `any` there is the honest type.
      '@typescript-eslint/no-explicit-any': 'off',
      // CDK's package.json and plugin paths are read with require() on purpose.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
