/**
 * Styles shared by the components' shadow roots: buttons, inputs, badges, dropdowns and the
 * `decoration-*` colours. Colours come from CSS custom properties set in `main.css`, which
 * cross shadow boundaries, so the theme lives in one place.
 */
import { css } from 'lit';

export const sharedStyles = css`
  :host { box-sizing: border-box; font: inherit; color: var(--erp-text); }
  *, *::before, *::after { box-sizing: inherit; }
  [hidden] { display: none !important; }
  button { font: inherit; cursor: pointer; }
  .btn {
    display: inline-flex; align-items: center; gap: 4px; padding: 5px 12px; min-height: 32px;
    border: 1px solid var(--erp-border); border-radius: var(--erp-radius); background: #fff;
    color: var(--erp-text); white-space: nowrap; font-size: 0.92rem; line-height: 1.2;
  }
  .btn:hover:not(:disabled) { background: var(--erp-hover); }
  .btn:disabled { opacity: 0.55; cursor: default; }
  .btn:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, [tabindex]:focus-visible {
    outline: 2px solid var(--erp-focus); outline-offset: 1px;
  }
  .btn-primary { background: var(--erp-primary); border-color: var(--erp-primary); color: #fff; }
  .btn-primary:hover:not(:disabled) { background: var(--erp-primary-dark); }
  .btn-danger { color: var(--erp-danger); }
  .btn-link { border-color: transparent; background: transparent; color: var(--erp-link); padding: 4px 6px; }
  .btn-link:hover:not(:disabled) { background: transparent; text-decoration: underline; }
  .btn-sm { min-height: 26px; padding: 2px 8px; font-size: 0.85rem; }
  .btn-icon { border-color: transparent; background: transparent; padding: 4px 8px; }
  input, select, textarea {
    font: inherit; color: inherit; width: 100%; min-height: 32px; padding: 4px 8px;
    border: 1px solid var(--erp-field-border, var(--erp-border)); border-radius: var(--erp-radius); background: #fff;
  }
  input[type='checkbox'], input[type='radio'] { width: auto; min-height: 0; accent-color: var(--erp-primary); }
  textarea { min-height: 80px; resize: vertical; }
  .muted { color: var(--erp-muted); }
  .badge {
    display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem;
    background: var(--erp-badge-bg); color: var(--erp-text); white-space: nowrap;
  }
  .dropdown { position: relative; display: inline-block; }
  .dropdown-menu {
    position: absolute; z-index: 20; top: calc(100% + 2px); left: 0; min-width: 200px; max-height: 70vh; overflow: auto;
    background: #fff; border: 1px solid var(--erp-border); border-radius: var(--erp-radius);
    box-shadow: 0 6px 16px rgba(0, 0, 0, 0.15); padding: 4px 0;
  }
  .dropdown-menu.right { left: auto; right: 0; }
  .dropdown-item {
    display: flex; align-items: center; gap: 6px; width: 100%; padding: 6px 14px; border: 0; background: none;
    text-align: left; color: var(--erp-text); text-decoration: none; font-size: 0.92rem;
  }
  .dropdown-item:hover, .dropdown-item.active { background: var(--erp-hover); }
  .dropdown-divider { border-top: 1px solid var(--erp-border); margin: 4px 0; }
  .dropdown-header { padding: 6px 14px; font-weight: 600; font-size: 0.8rem; color: var(--erp-muted); text-transform: uppercase; }
  .text-danger, .decoration-danger { color: var(--erp-danger); }
  .decoration-warning { color: var(--erp-warning); }
  .decoration-success { color: var(--erp-success); }
  .decoration-info { color: var(--erp-info); }
  .decoration-primary { color: var(--erp-primary); }
  .decoration-muted { color: var(--erp-muted); }
  .decoration-bf { font-weight: 700; }
  .decoration-it { font-style: italic; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  a { color: var(--erp-link); }
  .cp-buttons { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
  /* On a phone a long row of buttons (the actions on selected records) scrolls sideways. */
  @media (max-width: 767px) {
    .cp-buttons.scroll-x { flex-wrap: nowrap; overflow-x: auto; min-width: 0; max-width: calc(100vw - 120px); padding-bottom: 2px; }
    .cp-buttons.scroll-x > * { flex: none; }
  }
`;
