// The result of the last action on a settings tab, announced politely and dismissible.
export function StatusMessage({ message, onDismiss }: { message: string; onDismiss: () => void }) {
  return (
    <div role="status" aria-live="polite">
      {message !== '' && (
        <div className="notice">
          <span>{message}</span>
          <button type="button" className="link-button" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
