export { default } from '@homeserver/eslint-config';
