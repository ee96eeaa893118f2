"""The activity feed card: live indicator, category filter chips, search, list and "load older"."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.config import CATEGORIES
from components.icons import category_icon, icon


def category_option(category: str) -> dict[str, object]:
    """One filter chip: the category's icon and name, coloured by its class."""
    return {
        "label": html.Span([icon(category_icon(category), 14), html.Span(category)], className=f"chip cat-{category}"),
        "value": category,
    }


def feed_card(max_items: int) -> dbc.Card:
    head = html.Div(
        [
            html.Div(
                [icon("activity", 18), html.Span("Activity"), html.Span(id=ids.FEED_COUNT, className="feed-count")],
                className="card-title-row",
            ),
            html.Span(
                [html.Span(className="live-dot"), html.Span("Live", id=ids.FEED_LIVE_TEXT, className="live-text")],
                id=ids.FEED_LIVE,
                className="live-indicator is-live",
                title="New events appear at the top while you are at the top of the list",
            ),
        ],
        className="card-head",
    )
    controls = html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText(icon("search", 16)),
                    dbc.Input(
                        id=ids.FEED_SEARCH,
                        type="search",
                        placeholder="Search title, type, source…",
                        debounce=False,
                        autocomplete="off",
                        size="sm",
                    ),
                ],
                size="sm",
                class_name="feed-search",
            ),
            dcc.Checklist(
                id=ids.FEED_FILTER,
                options=[category_option(c) for c in CATEGORIES],
                value=list(CATEGORIES),
                inline=True,
                className="feed-filter",
                inputClassName="chip-input",
                labelClassName="chip-label",
            ),
        ],
        className="feed-controls",
    )
    new_button = html.Button(
        [icon("arrow-up", 14), html.Span("", id=ids.FEED_NEW_TEXT)],
        id=ids.FEED_NEW,
        className="feed-new is-hidden",
        type="button",
        n_clicks=0,
    )
    body = html.Div(
        [
            new_button,
            html.Div(
                [
                    html.Div(id=ids.FEED_EMPTY, className="empty-state feed-empty"),
                    # Dash renders this empty and never again: the live client adds and removes its rows
                    # (one DOM node per event, text only through textContent), so a new event costs one
                    # insert instead of re-rendering every row through Dash (DESIGN.md §5)
                    html.Div(id=ids.FEED_ROWS, className="feed-rows"),
                ],
                id=ids.ACTIVITY_FEED,
                className="feed-list",
                role="log",
                tabIndex=0,  # scrolled by keyboard too (axe scrollable-region-focusable)
                **{"aria-live": "polite", "aria-label": "Activity feed", "data-max-items": str(max_items)},
            ),
        ],
        className="feed-body",
    )
    footer = html.Div(
        [
            html.Button(
                [icon("history", 16), html.Span("Load older")],
                id=ids.FEED_OLDER,
                className="btn btn-sm btn-outline-secondary flex-grow-1",
                type="button",
                n_clicks=0,
            ),
            # "export what I see": the feed's categories and search as GET /api/events/export filters
            html.A(
                [icon("device-floppy", 16), html.Span("Export")],
                id=ids.FEED_EXPORT,
                href="/api/events/export?format=csv",
                download="",
                className="btn btn-sm btn-outline-secondary",
                title="Download the events matching the filter and search (CSV)",
            ),
        ],
        className="feed-footer d-flex gap-2",
    )
    return dbc.Card([head, controls, body, footer], class_name="mova-card feed-card")
