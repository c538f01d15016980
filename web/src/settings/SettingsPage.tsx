// Settings (administrators): users and roles with their working hours and time off, mailboxes and limits,
// webhooks, and emails whose sending is unconfirmed. The tab is in the address (?tab=) so it can be linked.
import { useId } from 'react';
import { Link } from 'react-router-dom';
import { useSession } from '../app/api-context.js';
import { useAddressParams } from '../app/use-address-params';
import { Empty } from '../ui/states.js';
import { Tabs, tabPanelProps } from '../ui/Tabs.js';
import { MailboxesSettings } from './MailboxesSettings.js';
import { UnsentMessages } from './UnsentMessages.js';
import { UsersSettings } from './UsersSettings.js';
import { WebhooksSettings } from './WebhooksSettings.js';

const TABS = ['users', 'mailboxes', 'webhooks', 'unsent'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = {
  users: 'Users and roles',
  mailboxes: 'Mailboxes and limits',
  webhooks: 'Webhooks',
  unsent: 'Unsent messages',
};

export function SettingsPage() {
  const session = useSession();
  const [params, setParams] = useAddressParams();
  const tabsId = useId();
  const requested = params.get('tab') ?? '';
  const tab: Tab = (TABS as readonly string[]).includes(requested) ? (requested as Tab) : 'users';
  const isAdmin = session?.user.role === 'admin';
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      {!isAdmin ? (
        <Empty
          title="Administrators only"
          action={
            <Link to="/account" className="button">
              Go to Your account
            </Link>
          }
        >
          Ask a System Administrator to change users, shared mailboxes and webhooks. Your own name, time zone,
          working hours, time off, sending mailbox and API tokens are yours to change under Your account.
        </Empty>
      ) : (
        <>
          <Tabs
            id={tabsId}
            label="Settings"
            items={TABS.map((key) => ({ key, label: TAB_NAMES[key] }))}
            selected={tab}
            onSelect={(next) => setParams(next === 'users' ? {} : { tab: next })}
          />
          <div className="tab-body settings-body" {...tabPanelProps(tabsId, tab)}>
            {tab === 'users' && <UsersSettings />}
            {tab === 'mailboxes' && <MailboxesSettings />}
            {tab === 'webhooks' && <WebhooksSettings />}
            {tab === 'unsent' && <UnsentMessages />}
          </div>
        </>
      )}
    </div>
  );
}
