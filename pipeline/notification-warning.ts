import { PipelineConfig } from '../config/config';
import { unnotified } from '../config/notifications';
import { writeBanner } from './banner';

/**
 * Says loudly, once, on stderr, who will not be told about approvals and alarms: the topics that
 * no configured address receives. A warning, not an error, so that the shipped configuration (which
 * cannot know anybody's address) still synthesizes on a fresh clone; `notificationOptOut` silences it.
 */
export function warnAboutUnnotified(config: PipelineConfig): void {
  const lines = unnotified(config);
  if (lines.length === 0) return;
  writeBanner([
    'NOBODY IS NOTIFIED: no e-mail address receives',
    ...lines.map((line) => `    ${line}`),
    '  Their SNS topics have no subscriber: an approval waits unseen and an alarm fires unheard. Set an address in',
    "  cdk.json, or set clairPipeline.notificationOptOut to true if you subscribe the topics yourself; see docs/configuration.md, 'Notifications'.",
  ]);
}
