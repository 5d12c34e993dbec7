#!/usr/bin/env node
// The published command runs the TypeScript sources through tsx's loader, so `npx edubridge`
// works straight after `npm ci` with no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
