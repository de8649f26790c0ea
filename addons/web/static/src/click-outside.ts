/**
 * A lit reactive controller calling `onOutside` when the user clicks anywhere outside its
 * host (used to close dropdowns and panels). It listens only while the host is connected.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ClickOutsideController implements ReactiveController {
  private readonly host: ReactiveControllerHost & HTMLElement;
  private readonly onOutside: () => void;
  private readonly listener = (e: Event) => {
    if (!e.composedPath().includes(this.host)) this.onOutside();
  };

  constructor(host: ReactiveControllerHost & HTMLElement, onOutside: () => void) {
    this.host = host;
    this.onOutside = onOutside;
    host.addController(this);
  }
  hostConnected(): void {
    document.addEventListener('click', this.listener);
  }
  hostDisconnected(): void {
    document.removeEventListener('click', this.listener);
  }
}
