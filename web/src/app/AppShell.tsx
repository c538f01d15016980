// The frame around every signed-in screen: navigation on the left (a drawer on small screens), the user
// (a link to their account) and sign-out at the top, and a skip link to the content.
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { ROLE_NAMES } from '../api/types.js';
import { Icon } from '../ui/Icon.js';
import type { IconName } from '../ui/icon-names.js';
import { useApi, usePermissions, useSession } from './api-context.js';
import type { Permissions } from './permissions.js';

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  /** Shown only to roles with this permission. */
  requires?: keyof Permissions;
}

const NAV: { heading?: string; items: NavItem[] }[] = [
  {
    items: [
      { to: '/my-work', label: 'My work', icon: 'work' },
      { to: '/sequences', label: 'Sequences', icon: 'sequences' },
    ],
  },
  {
    heading: 'Records',
    items: [
      { to: '/records/leads', label: 'Leads', icon: 'records' },
      { to: '/records/contacts', label: 'Contacts', icon: 'records' },
      { to: '/records/accounts', label: 'Accounts', icon: 'records' },
      { to: '/records/opportunities', label: 'Opportunities', icon: 'records' },
    ],
  },
  {
    heading: 'Set-up',
    items: [
      {
        to: '/email-templates',
        label: 'Email templates',
        icon: 'template',
        requires: 'manageEmailTemplates',
      },
      { to: '/settings', label: 'Settings', icon: 'settings', requires: 'manageSettings' },
      { to: '/account', label: 'Your account', icon: 'user' },
    ],
  },
];

export function AppShell() {
  const session = useSession();
  const permissions = usePermissions();
  const nav = NAV.map((group) => ({
    ...group,
    items: group.items.filter((item) => item.requires === undefined || permissions[item.requires]),
  })).filter((group) => group.items.length > 0);
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the drawer whenever the page changes
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const signOut = async () => {
    await api.auth.signOut().catch(() => undefined); // the session ends locally either way
    navigate('/sign-in');
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="icon-button menu-button"
          aria-label="Menu"
          aria-expanded={menuOpen}
          aria-controls="sidenav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name="menu" />
        </button>
        <NavLink to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          Stepwise
        </NavLink>
        <div className="topbar-user">
          {session !== null && (
            // The signed-in user, and the way to their own account (also in the navigation).
            <NavLink to="/account" className="user-chip" title={`${session.user.email}: your account`}>
              <span className="visually-hidden">Your account: </span>
              <span className="avatar" aria-hidden="true">
                {initials(session.user.name)}
              </span>
              <span className="user-text">
                <span className="user-name">{session.user.name}</span>
                <span className="user-role">{ROLE_NAMES[session.user.role] ?? session.user.role}</span>
              </span>
            </NavLink>
          )}
          <button type="button" className="button button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="sidenav" className={`sidenav${menuOpen ? ' open' : ''}`} aria-label="Main">
        {nav.map((group, i) => (
          <div key={group.heading ?? i} className="nav-group">
            {group.heading !== undefined && <h2 className="nav-heading">{group.heading}</h2>}
            <ul>
              {group.items.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} className="nav-link">
                    <Icon name={item.icon} />
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((p) => p !== '')
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase())
    .join('');
}
