"""The top bar: brand, connection badge with its details popover, system health, the bell and the theme toggle."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import ids
from components.client import panel_store
from components.icons import icon


def status_badge() -> html.Div:
    """Connection badge (its text is the state word) and a popover with the transport details."""
    pill = html.Button(
        [
            icon("loader-2", 16, id=ids.STATUS_ICON, className="spin"),
            html.Span("Connecting", id=ids.STATUS_BADGE, className="pill-label"),
            html.Span("", id=ids.STATUS_DETAIL, className="pill-detail"),
        ],
        id=ids.STATUS_PILL,
        className="pill state-connecting",
        title="Connection details",
        type="button",
    )
    popover = dbc.Popover(
        [
            dbc.PopoverHeader("Live connection"),
            dbc.PopoverBody(html.Div("Connecting…", className="text-muted"), id=ids.STATUS_POPOVER_BODY),
        ],
        id=ids.STATUS_POPOVER,
        target=ids.STATUS_PILL,
        trigger="legacy",
        placement="bottom-end",
        class_name="mova-popover",
    )
    return html.Div([pill, popover, panel_store("status")], className="d-flex align-items-center")


def health_badge() -> html.Div:
    """System health from system.status and the server's health frames, with a popover of its components."""
    pill = html.Button(
        [
            icon("heart-rate-monitor", 16, id=ids.HEALTH_ICON),
            html.Span("unknown", id=ids.HEALTH_BADGE, className="pill-label"),
        ],
        id=ids.HEALTH_PILL,
        className="pill health-unknown",
        title="System health (system.status)",
        type="button",
    )
    popover = dbc.Popover(
        [
            dbc.PopoverHeader("System health"),
            dbc.PopoverBody(html.Div("No report yet", className="text-muted"), id=ids.HEALTH_POPOVER_BODY),
        ],
        id=ids.HEALTH_POPOVER,
        target=ids.HEALTH_PILL,
        trigger="legacy",
        placement="bottom-end",
        class_name="mova-popover",
    )
    return html.Div([pill, popover, panel_store("health")], className="d-flex align-items-center")


def notification_bell() -> html.Div:
    """The bell with its unread count and the notification centre dropdown."""
    bell = html.Button(
        [
            icon("bell", 20),
            # the button's name is "Notifications 3": the word for screen readers, the count as shown
            html.Span("Notifications", className="visually-hidden"),
            html.Span("0", id=ids.NOTIFICATION_COUNT, className="bell-count is-zero"),
        ],
        id=ids.NOTIFICATION_BELL,
        className="icon-button",
        title="Notifications",
        type="button",
        n_clicks=0,
        # the list opens as a dialog (Esc closes it)
        **{"aria-haspopup": "dialog", "aria-expanded": "false"},
    )
    header = html.Div(
        [
            html.Span("Notifications", className="fw-semibold"),
            html.Div(
                [
                    html.Button(
                        [icon("checks", 16), html.Span("Mark all read")],
                        id=ids.NOTIFICATION_MARK_READ,
                        className="link-button",
                        type="button",
                        n_clicks=0,
                    ),
                    html.Button(
                        [icon("trash", 16), html.Span("Clear all")],
                        id=ids.NOTIFICATION_CLEAR,
                        className="link-button",
                        type="button",
                        n_clicks=0,
                    ),
                ],
                className="d-flex gap-2",
            ),
        ],
        className="notif-header",
    )
    popover = dbc.Popover(
        dbc.PopoverBody(
            [
                header,
                html.Div(
                    html.Div("No notifications yet", className="empty-state"),
                    id=ids.NOTIFICATION_LIST,
                    className="notif-list",
                    # a scrolling list is reached by keyboard too (axe scrollable-region-focusable)
                    tabIndex=0,
                    role="region",
                    **{"aria-label": "Notification list"},
                ),
            ],
            class_name="p-0",
        ),
        id=ids.NOTIFICATION_POPOVER,
        target=ids.NOTIFICATION_BELL,
        is_open=False,
        placement="bottom-end",
        class_name="mova-popover notif-popover",
    )
    return html.Div([bell, popover, panel_store("notifications")], className="d-flex align-items-center")


def theme_toggle() -> html.Button:
    """Light or dark: shows the theme it switches to; pressed means light (assets/client/panel_theme.js)."""
    return html.Button(
        [
            html.Span(icon("moon", 18), className="icon-moon"),
            html.Span(icon("sun", 18), className="icon-sun"),
        ],
        id=ids.THEME_TOGGLE,
        className="icon-button theme-toggle",
        title="Light theme",
        type="button",
        n_clicks=0,
        **{"aria-label": "Light theme", "aria-pressed": "false"},
    )


def top_bar() -> html.Header:
    brand = html.A(
        [
            html.Span(icon("activity", 22), className="brand-mark"),
            html.Span("MOVA", className="brand-name"),
            html.Span("Live", className="brand-sub"),
        ],
        href="/",
        className="brand",
    )
    return html.Header(
        html.Div(
            [
                # the page's one level-one heading (screen readers jump by headings)
                html.H1(brand, className="brand-heading"),
                html.Div(
                    [
                        status_badge(),
                        health_badge(),
                        notification_bell(),
                        theme_toggle(),
                        # who is signed in, sign out, and (admins) users and tokens: hub/access's pages
                        html.A(
                            icon("user", 20),
                            href="/account",
                            id=ids.ACCOUNT_LINK,
                            className="icon-button topbar-account",
                            title="Account",
                            **{"aria-label": "Account"},
                        ),
                    ],
                    className="topbar-right",
                ),
            ],
            className="topbar-inner",
        ),
        className="topbar",
    )
