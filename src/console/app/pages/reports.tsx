/** Education reports: filled in over the reports API. */
import { t, useLang } from '../i18n.ts';

export function ReportsPage() {
  useLang();
  return <h1>{t('reports')}</h1>;
}
