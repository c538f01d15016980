// The routes: sign-in and the one-time set-up page outside the shell, everything else inside it and only
// when signed in. Each screen is its own chunk, loaded when first visited, so the first load carries
// neither React Flow nor the charts. The routes sit under one catch-all route of a data router, which is
// what lets a screen hold a navigation back (useBlocker: the designer's unsaved changes).
import { type ComponentType, lazy, type ReactNode, Suspense, useState } from 'react';
import {
  createBrowserRouter,
  Navigate,
  Outlet,
  Route,
  RouterProvider,
  Routes,
  useLocation,
} from 'react-router-dom';
import { SetupPage } from '../auth/SetupPage.js';
import { SignInPage } from '../auth/SignInPage.js';
import { ENTITY_PATHS } from '../records/record-types.js';
import { Loading } from '../ui/states.js';
import { AppShell } from './AppShell.js';
import { useSession } from './api-context.js';
import { NotFoundPage } from './NotFoundPage.js';

/** React.lazy for a module's named export (we use no default exports). */
function lazyNamed<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

const SequencesPage = lazyNamed(() => import('../sequences/SequencesPage.js'), 'SequencesPage');
const SequencePage = lazyNamed(() => import('../sequences/SequencePage.js'), 'SequencePage');
const RecordsPage = lazyNamed(() => import('../records/RecordsPage.js'), 'RecordsPage');
const RecordPage = lazyNamed(() => import('../records/RecordPage.js'), 'RecordPage');
const MyWorkPage = lazyNamed(() => import('../work/MyWorkPage.js'), 'MyWorkPage');
const EmailTemplatesPage = lazyNamed(
  () => import('../email-templates/EmailTemplatesPage.js'),
  'EmailTemplatesPage',
);
const EmailTemplateEditorPage = lazyNamed(
  () => import('../email-templates/EmailTemplateEditorPage.js'),
  'EmailTemplateEditorPage',
);
const SettingsPage = lazyNamed(() => import('../settings/SettingsPage.js'), 'SettingsPage');
const AccountPage = lazyNamed(() => import('../account/AccountPage.js'), 'AccountPage');

function Screen({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div className="page">
          <Loading label="Loading the screen…" />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

export function App() {
  const [router] = useState(() => createBrowserRouter([{ path: '*', element: <AppRoutes /> }]));
  return <RouterProvider router={router} />;
}

function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route element={<RequireSession />}>
        <Route element={<AppShell />}>
          <Route index element={<Home />} />
          <Route
            path="sequences"
            element={
              <Screen>
                <SequencesPage />
              </Screen>
            }
          />
          <Route
            path="sequences/:id/*"
            element={
              <Screen>
                <SequencePage />
              </Screen>
            }
          />
          {/* A list's address in the singular (/records/lead) goes to the list, as /records/lead/{id} opens a record. */}
          {Object.entries(ENTITY_PATHS).map(([singular, plural]) => (
            <Route
              key={singular}
              path={`records/${singular}`}
              element={<ListRedirect to={`/records/${plural}`} />}
            />
          ))}
          <Route
            path="records/:type"
            element={
              <Screen>
                <RecordsPage />
              </Screen>
            }
          />
          <Route
            path="records/:type/:id"
            element={
              <Screen>
                <RecordPage />
              </Screen>
            }
          />
          <Route
            path="my-work"
            element={
              <Screen>
                <MyWorkPage />
              </Screen>
            }
          />
          <Route
            path="email-templates"
            element={
              <Screen>
                <EmailTemplatesPage />
              </Screen>
            }
          />
          <Route
            path="email-templates/:id"
            element={
              <Screen>
                <EmailTemplateEditorPage />
              </Screen>
            }
          />
          <Route
            path="settings"
            element={
              <Screen>
                <SettingsPage />
              </Screen>
            }
          />
          <Route
            path="account"
            element={
              <Screen>
                <AccountPage />
              </Screen>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}

/** A salesperson's day starts in My work; managers start where they build sequences. */
function Home() {
  const session = useSession();
  return <Navigate to={session?.user.role === 'salesperson' ? '/my-work' : '/sequences'} replace />;
}

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session === null) {
    const from = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in${from === '/' ? '' : `?next=${encodeURIComponent(from)}`}`} replace />;
  }
  return <Outlet />;
}

/** A redirect that keeps the address's query (`/records/lead?q=acme` → `/records/leads?q=acme`). */
function ListRedirect({ to }: { to: string }) {
  const { search } = useLocation();
  return <Navigate to={`${to}${search}`} replace />;
}
