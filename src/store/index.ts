export {
  type CreateDatabaseOptions,
  createDatabase,
  type Database,
  type DatabaseSettings,
  type Tables,
} from './db.ts';
