// GENERATED from docs/openapi.json by scripts/gen-api.mjs (npm run gen). Do not edit.

export interface paths {
    "/api/backtest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Backtests
         * @description Your backtest jobs, newest first.
         */
        get: operations["backtest-list_backtests"];
        put?: never;
        /**
         * Launch Backtest
         * @description Backtest one strategy on stored candles; returns the queued job at once.
         */
        post: operations["backtest-launch_backtest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/backtest/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Compare Strategies
         * @description Backtest several strategies on the same candles, side by side; returns the job.
         */
        post: operations["backtest-compare_strategies"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/backtest/portfolio": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Launch Portfolio Backtest
         * @description Both bots with reallocation (one ratio, or a sweep of ratios); returns the job.
         *
         *     With ``pairs``, both bots trade every pair together (merged candle times, the risk
         *     manager's limits across pairs), as ``backtest portfolio --stored PAIR`` repeated.
         */
        post: operations["backtest-launch_portfolio_backtest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/backtest/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Backtest
         * @description One of your jobs: ``queued``, ``running``, ``succeeded`` or ``failed``.
         */
        get: operations["backtest-get_backtest"];
        put?: never;
        post?: never;
        /**
         * Delete Backtest
         * @description Delete one of your finished runs and its report (409 while it runs).
         */
        delete: operations["backtest-delete_backtest"];
        options?: never;
        head?: never;
        /**
         * Rename Backtest
         * @description Name one of your runs ("" clears the name).
         */
        patch: operations["backtest-rename_backtest"];
        trace?: never;
    };
    "/api/backtest/{job_id}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Backtest Result
         * @description The reports of a finished job: metrics, trades and equity curve per strategy.
         */
        get: operations["backtest-get_backtest_result"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Bots
         * @description Both bots: run state, requested state, capital, risk and configuration.
         */
        get: operations["bots-list_bots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots/{bot}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Bot
         * @description One bot.
         */
        get: operations["bots-get_bot"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots/{bot}/pairs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Bot Pairs
         * @description The pairs the bot opens positions on: as chosen, and the active ones that means now.
         */
        get: operations["bots-get_bot_pairs"];
        /**
         * Set Bot Pairs
         * @description Choose the pairs the bot opens positions on (null: every active pair).
         *
         *     Each pair must be known to /config/pairs (422 otherwise). A running runtime applies the
         *     change at its next candle and says so (``bot_pairs_applied`` alert, audit row): a pair taken
         *     off opens nothing new, and its open position keeps its protection until it closes.
         */
        put: operations["bots-set_bot_pairs"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots/{bot}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause Bot
         * @description Ask the runtime to pause the bot (no new positions; protection stays in place).
         */
        post: operations["bots-pause_bot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots/{bot}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume Bot
         * @description Ask the runtime to resume a paused bot.
         */
        post: operations["bots-resume_bot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots/{bot}/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update Bot Settings
         * @description Change strategy, strategy parameters, risk ratio, stop-loss or take-profit.
         *
         *     Parameters are checked by the strategy's own model (unknown names get a "did you mean").
         *     The runtime applies them when the bot next starts or resumes.
         */
        patch: operations["bots-update_bot_settings"];
        trace?: never;
    };
    "/api/bots/{bot}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start Bot
         * @description Ask the runtime to start the bot (``requested`` shows the request at once).
         */
        post: operations["bots-start_bot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bots/{bot}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop Bot
         * @description Ask the runtime to stop the bot.
         */
        post: operations["bots-stop_bot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/market/candles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Candles
         * @description The newest ``limit`` stored candles of a series in the range, oldest first.
         */
        get: operations["market-list_candles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/market/chart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Chart
         * @description The newest ``limit`` candles, SMA/EMA/Bollinger/RSI/MACD series and the trades on them.
         */
        get: operations["market-get_chart"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/market/indicators": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Indicators
         * @description Every indicator's reading of the latest candle.
         *
         *     The indicator engine's latest event when this process has seen one, otherwise computed on
         *     the stored candles.
         */
        get: operations["market-get_indicators"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/market/pairs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Market Pairs
         * @description The active trading pairs.
         */
        get: operations["market-list_market_pairs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/market/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Series
         * @description Every stored candle series: exchange, pair, timeframe, first and last candle, count.
         */
        get: operations["market-list_series"];
        put?: never;
        /**
         * Import Series
         * @description Store an uploaded candle file as a series the backtests can use (upsert).
         *
         *     Named like ``binance_BTC-USDT_1h.csv.gz``, the file says its series; otherwise give the
         *     pair (and the timeframe, when the spacing does not tell it). A file breaking a rule is
         *     refused with 422 on ``file``, the message naming the line and the column; nothing is written.
         */
        post: operations["market-import_series"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/market/signals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Signals
         * @description Each bot's latest signal.
         *
         *     The decision engine's latest event when seen, otherwise the bot's configured strategy
         *     evaluated on the stored candles.
         */
        get: operations["market-get_signals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Notification Settings
         * @description Your devices, which events go to which channel, your ntfy topic, the platform switch.
         */
        get: operations["notifications-get_notification_settings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Notification Deliveries
         * @description Your newest notifications and what became of each (sent, retrying, failed, gone).
         */
        get: operations["notifications-list_notification_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Notification Devices
         * @description Your registered devices.
         */
        get: operations["notifications-list_notification_devices"];
        put?: never;
        /**
         * Register Notification Device
         * @description Register this browser (its push subscription) or this phone (its Expo push token).
         *
         *     Registering the same subscription or token again refreshes it (and moves it to you).
         */
        post: operations["notifications-register_notification_device"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/devices/{device_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete Notification Device
         * @description Stop pushing to one of your devices (on logout, or when the browser unsubscribes).
         */
        delete: operations["notifications-delete_notification_device"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/ntfy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Put Ntfy
         * @description Send your notifications to an ntfy topic; the token is stored encrypted, never returned.
         */
        put: operations["notifications-put_ntfy"];
        post?: never;
        /**
         * Delete Ntfy
         * @description Stop sending to ntfy (the token is forgotten).
         */
        delete: operations["notifications-delete_ntfy"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update Notification Preferences
         * @description Turn events on or off per channel (only those named change); set the language.
         */
        patch: operations["notifications-update_notification_preferences"];
        trace?: never;
    };
    "/api/notifications/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send Test Notification
         * @description Push a test notification to each of your channels now; a dead device is removed.
         */
        post: operations["notifications-send_test_notification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/vapid-public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Vapid Public Key
         * @description The ``applicationServerKey`` a browser subscribes with (Web Push).
         */
        get: operations["notifications-get_vapid_public_key"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/optimize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Optimizations
         * @description Your optimisation jobs, newest first.
         */
        get: operations["optimize-list_optimizations"];
        put?: never;
        /**
         * Launch Optimization
         * @description Optimise a strategy on stored candles; returns the queued job at once.
         *
         *     Progress: ``GET /api/optimize/{id}`` or the ``optimizations`` topic of ``/ws``.
         */
        post: operations["optimize-launch_optimization"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/optimize/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Optimization
         * @description One of your jobs and its progress (trials finished, best value so far).
         */
        get: operations["optimize-get_optimization"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/optimize/{job_id}/apply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Apply Optimization
         * @description Give a bot the chosen parameters and protection (audited; applied at its next start).
         */
        post: operations["optimize-apply_optimization"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/optimize/{job_id}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Optimization Result
         * @description The report of a finished job.
         */
        get: operations["optimize-get_optimization_result"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/portfolio": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Portfolio
         * @description The portfolio: each bot's capital, realised P&L, win rate and risk state.
         *
         *     Also the totals, the 10 latest reallocations and the trading mode.
         */
        get: operations["portfolio-get_portfolio"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/portfolio/reallocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Reallocations
         * @description Capital moved from the aggressive to the safe bot, newest first.
         */
        get: operations["portfolio-list_reallocations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/strategies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Strategies
         * @description Every registered strategy (plugins included): parameters with types, bounds, defaults.
         */
        get: operations["strategies-list_strategies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/trades": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Trades
         * @description Trades, newest first; ``count`` is the number matching the filters in all.
         */
        get: operations["trades-list_trades"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/trades/{trade_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Trade
         * @description One trade, with the indicator snapshot taken when it opened.
         */
        get: operations["trades-get_trade"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Login
         * @description Log in: a 15-minute access token and a refresh token (rotated on every use).
         */
        post: operations["auth-login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Logout
         * @description End this login session: its refresh and access tokens stop working at once.
         */
        post: operations["auth-logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Logout Everywhere
         * @description End every login session of yours, on every device (service tokens stay).
         */
        post: operations["auth-logout_everywhere"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read Me
         * @description Who you are (the owner, for a service token).
         */
        get: operations["auth-read_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change Password
         * @description Change your password; every session of yours is logged out.
         */
        post: operations["auth-change_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refresh
         * @description Trade a refresh token for new tokens; a token used twice revokes its whole session.
         */
        post: operations["auth-refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Tokens
         * @description Your service tokens (admins: everyone's with ``everyone=true``).
         */
        get: operations["auth-list_tokens"];
        put?: never;
        /**
         * Create Token
         * @description A service token for a program (e.g. the Discord bot); the token is shown only here.
         */
        post: operations["auth-create_token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/tokens/{token_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke Token
         * @description Revoke one of your service tokens (admins: anyone's).
         */
        delete: operations["auth-revoke_token"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Users
         * @description Every user (admins).
         */
        get: operations["auth-list_users"];
        put?: never;
        /**
         * Create User
         * @description Create a user (admins).
         */
        post: operations["auth-create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update User
         * @description Change a user's role or deactivate them (admins); their sessions are revoked.
         */
        patch: operations["auth-update_user"];
        trace?: never;
    };
    "/auth/ws-ticket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create Ws Ticket
         * @description A single-use ticket to authenticate one ``/ws`` connection within 30 seconds.
         */
        post: operations["auth-create_ws_ticket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config/exchange-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Exchange Keys
         * @description Stored exchange API keys, masked (admins).
         */
        get: operations["config-list_exchange_keys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config/exchange-keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate Exchange Keys
         * @description Re-encrypt every stored secret (exchange keys, Discord webhook) with the newest key.
         *
         *     Put the new key first in CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS, call this, then remove the
         *     old key.
         */
        post: operations["config-rotate_exchange_keys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config/exchange-keys/{exchange}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Put Exchange Key
         * @description Store or replace an exchange's API key, encrypted; it is never returned, only masked.
         */
        put: operations["config-put_exchange_key"];
        post?: never;
        /**
         * Delete Exchange Key
         * @description Forget an exchange's API key.
         */
        delete: operations["config-delete_exchange_key"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config/live-trading": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Live Trading
         * @description The live-trading switch and everything else that still blocks real orders.
         */
        get: operations["config-get_live_trading"];
        /**
         * Switch Live Trading
         * @description Turn live trading on or off (admins).
         *
         *     Turning it on needs ``confirmation`` equal to the phrase from GET (``enable live trading on
         *     <exchange>``) and your password; every other blocker must be cleared first.
         */
        put: operations["config-switch_live_trading"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Notifications
         * @description Which alerts are sent, and where.
         */
        get: operations["config-get_notifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update Notifications
         * @description Change notification settings (admins); a Discord webhook URL is stored encrypted.
         */
        patch: operations["config-update_notifications"];
        trace?: never;
    };
    "/config/pairs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Pairs
         * @description Every known trading pair, active or not.
         */
        get: operations["config-list_pairs"];
        put?: never;
        /**
         * Add Pair
         * @description Add a trading pair (or reactivate a known one).
         *
         *     A running live runtime (started without ``--pair``) checks its history and trades it from
         *     its next candle (``pairs_applied`` alert), or says why not (``pair_refused``); the change is
         *     announced through the outbox (sent later if the message bus is down).
         */
        post: operations["config-add_pair"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/config/pairs/{pair_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update Pair
         * @description Activate or deactivate a trading pair.
         *
         *     A running live runtime applies it from the next candle: a deactivated pair opens nothing
         *     new, and is fed until its open positions close (their stops keep working); the change is
         *     announced through the outbox (sent later if the message bus is down).
         */
        patch: operations["config-update_pair"];
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health
         * @description Readiness: 200 when the database and Redis (if configured) answer, 503 otherwise.
         *
         *     ``status`` is ``degraded`` when a dependency fails; a failing InfluxDB only says so (the
         *     metrics writer drops points, trading goes on), it never turns the answer into a 503.
         */
        get: operations["system-health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Liveness: 200 while the process serves requests (dependencies are ``/health``'s job).
         */
        get: operations["system-liveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics
         * @description Prometheus metrics (requests, latency, rate limiting, WebSocket clients and events).
         *
         *     Raises:
         *         AuthenticationFailed: ``api.metrics_token`` is set and the request does not carry it.
         */
        get: operations["system-metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * ApiKeyPublic
         * @description A stored key, masked; ``current_encryption`` is False until rotated to the newest key.
         */
        ApiKeyPublic: {
            /** Api Key Masked */
            api_key_masked: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Current Encryption */
            current_encryption: boolean;
            /** Exchange */
            exchange: string;
            /** Has Passphrase */
            has_passphrase: boolean;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
            /** Updated By */
            updated_by: string | null;
        };
        /**
         * ApiKeyPut
         * @description Exchange credentials: stored encrypted, never returned.
         */
        ApiKeyPut: {
            /**
             * Api Key
             * Format: password
             */
            api_key: string;
            /**
             * Api Secret
             * Format: password
             */
            api_secret: string;
            /** Passphrase */
            passphrase?: string | null;
        };
        /**
         * ApiKeysPublic
         * @description Stored keys.
         */
        ApiKeysPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["ApiKeyPublic"][];
        };
        /**
         * BacktestCompareCreate
         * @description Several strategies (default parameters) on the same candles.
         */
        BacktestCompareCreate: {
            /** End */
            end?: string | null;
            /**
             * Exchange
             * @default binance
             */
            exchange: string;
            /** Fee */
            fee?: number | string | null;
            /**
             * Initial Capital
             * @default 1000
             */
            initial_capital: number | string;
            /**
             * Pair
             * @example BTC/USDT
             */
            pair: string;
            /** Risk Ratio */
            risk_ratio?: number | string | null;
            /** Slippage */
            slippage?: number | string | null;
            /** Stake */
            stake?: number | string | null;
            /** Start */
            start?: string | null;
            /** Stop Loss */
            stop_loss?: number | string | null;
            /** Strategies */
            strategies: string[];
            /** Take Profit */
            take_profit?: number | string | null;
            /** @default 1h */
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * BacktestCreate
         * @description One strategy over stored candles (``start`` <= open time < ``end``).
         */
        BacktestCreate: {
            /** End */
            end?: string | null;
            /**
             * Exchange
             * @default binance
             */
            exchange: string;
            /** Fee */
            fee?: number | string | null;
            /**
             * Initial Capital
             * @default 1000
             */
            initial_capital: number | string;
            /**
             * Pair
             * @example BTC/USDT
             */
            pair: string;
            /** Params */
            params?: {
                [key: string]: unknown;
            };
            /** Risk Ratio */
            risk_ratio?: number | string | null;
            /** Slippage */
            slippage?: number | string | null;
            /** Stake */
            stake?: number | string | null;
            /** Start */
            start?: string | null;
            /** Stop Loss */
            stop_loss?: number | string | null;
            /**
             * Strategy
             * @example conservative
             */
            strategy: string;
            /** Take Profit */
            take_profit?: number | string | null;
            /** @default 1h */
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * BacktestJobPublic
         * @description A job: ``queued``, ``running``, ``succeeded`` or ``failed`` (with ``error``).
         */
        BacktestJobPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Error */
            error: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Id */
            id: number;
            /** Kind */
            kind: string;
            /** Name */
            name?: string | null;
            /** Request */
            request: {
                [key: string]: unknown;
            };
            /** Started At */
            started_at: string | null;
            /** Status */
            status: string;
        };
        /**
         * BacktestJobsPublic
         * @description One page of the caller's jobs.
         */
        BacktestJobsPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["BacktestJobPublic"][];
        };
        /**
         * BacktestReallocationPublic
         * @description Profit moved from the aggressive bot to the safe bot after a winning trade, in a backtest.
         *
         *     Named apart from the live ``ReallocationPublic``: one name, one schema in the OpenAPI file.
         */
        BacktestReallocationPublic: {
            /** Aggressive Trade */
            aggressive_trade: number;
            /** Amount */
            amount: string;
            /** Profit */
            profit: string;
            /** Time */
            time: string | null;
        };
        /**
         * BacktestRename
         * @description A run's new name ("" clears it).
         */
        BacktestRename: {
            /** Name */
            name: string;
        };
        /**
         * BacktestReportPublic
         * @description One strategy's report: metrics (docs/backtesting.md), trades and equity curve.
         */
        BacktestReportPublic: {
            /** Average Trade */
            average_trade: number | null;
            /** Best Trade */
            best_trade: number | null;
            /** Bot */
            bot: string;
            /** Cagr */
            cagr: number | null;
            /** Candles */
            candles: number;
            /** End */
            end: string | null;
            /** Equity Curve */
            equity_curve: components["schemas"]["EquityPointPublic"][];
            /** Expectancy */
            expectancy: string | null;
            /** Exposure */
            exposure: number | null;
            /** Fees Paid */
            fees_paid: string;
            /** Final Capital */
            final_capital: string;
            /** Initial Capital */
            initial_capital: string;
            /** Max Drawdown */
            max_drawdown: number | null;
            /** Max Drawdown Peak */
            max_drawdown_peak: string | null;
            /** Max Drawdown Recovery */
            max_drawdown_recovery: string | null;
            /** Max Drawdown Trough */
            max_drawdown_trough: string | null;
            /** Net Profit */
            net_profit: string;
            /** Pair */
            pair: string;
            /** Profit Factor */
            profit_factor: number | null;
            /** Refused Entries */
            refused_entries: number;
            settings: components["schemas"]["BacktestSettingsPublic"];
            /** Sharpe Ratio */
            sharpe_ratio: number | null;
            /** Sortino Ratio */
            sortino_ratio: number | null;
            /** Start */
            start: string | null;
            /** Strategy */
            strategy: string;
            /** Timeframe */
            timeframe: string;
            /** Total Return */
            total_return: number | null;
            /** Total Trades */
            total_trades: number;
            /** Trades */
            trades: components["schemas"]["BacktestTradePublic"][];
            /** Win Rate */
            win_rate: number | null;
            /** Worst Trade */
            worst_trade: number | null;
        };
        /**
         * BacktestResultPublic
         * @description A finished job and its reports: one per strategy, or (portfolio) one per ratio.
         */
        BacktestResultPublic: {
            job: components["schemas"]["BacktestJobPublic"];
            /** Multipair */
            multipair?: components["schemas"]["MultiPairRunPublic"][];
            /** Portfolio */
            portfolio?: components["schemas"]["PortfolioRunPublic"][];
            /** Results */
            results: components["schemas"]["BacktestReportPublic"][];
        };
        /**
         * BacktestSettingsPublic
         * @description Costs and protection the backtest used.
         */
        BacktestSettingsPublic: {
            /** Amount Step */
            amount_step: string;
            /** Fee */
            fee: string;
            /** Fill */
            fill: string;
            /** Min Notional */
            min_notional: string;
            /** Risk Ratio */
            risk_ratio: string;
            /** Slippage */
            slippage: string;
            /** Stake */
            stake: string | null;
            /** Stop Loss */
            stop_loss: string;
            /** Take Profit */
            take_profit: string;
        };
        /**
         * BacktestTradePublic
         * @description A simulated trade.
         */
        BacktestTradePublic: {
            /** Confidence */
            confidence: number | null;
            /** Entry Price */
            entry_price: string;
            /** Entry Time */
            entry_time: string | null;
            /** Exit Price */
            exit_price: string | null;
            /** Exit Time */
            exit_time: string | null;
            /** Fees */
            fees: string;
            /** Pnl */
            pnl: string | null;
            /** Pnl Percent */
            pnl_percent: number | null;
            /** Quantity */
            quantity: string;
            /** Reason */
            reason: string | null;
            /** Stop Loss */
            stop_loss: string | null;
            /** Take Profit */
            take_profit: string | null;
        };
        /**
         * Bias
         * @description Direction an indicator points to.
         * @enum {string}
         */
        Bias: "bullish" | "bearish" | "neutral";
        /** Body_market-import_series */
        "Body_market-import_series": {
            /**
             * Exchange
             * @description else from the file name, else upload
             */
            exchange?: string | null;
            /**
             * File
             * @description candles as .csv or .csv.gz: a header with timestamp (epoch s/ms/us or ISO-8601), open, high, low, close, volume; one candle a line, oldest first
             */
            file: string;
            /**
             * Pair
             * @description else from the file name
             */
            pair?: string | null;
            /** @description else from the file name, else the spacing */
            timeframe?: components["schemas"]["Timeframe"] | null;
        };
        /**
         * BotConfigPublic
         * @description Strategy, its parameters (defaults filled in) and protection.
         */
        BotConfigPublic: {
            /** Params */
            params: {
                [key: string]: unknown;
            };
            /** Risk Ratio */
            risk_ratio: string;
            /** Stop Loss */
            stop_loss: string;
            /** Strategy */
            strategy: string;
            /** Take Profit */
            take_profit: string;
        };
        /**
         * BotKind
         * @description The two bots of the portfolio.
         * @enum {string}
         */
        BotKind: "safe" | "aggressive";
        /**
         * BotPairsPublic
         * @description The pairs a bot opens positions on.
         */
        BotPairsPublic: {
            bot: components["schemas"]["BotKind"];
            /**
             * Chosen
             * @description as chosen through the API or the CLI; null: the default
             */
            chosen: string[] | null;
            /**
             * Default
             * @description the runtime's setting for this bot (runtime.bot_pairs), used when none is chosen; null: every active pair
             */
            default: string[] | null;
            /**
             * Trading
             * @description the active pairs of /config/pairs it opens positions on now; a running runtime applies a change at its next candle (a replay trades only the pairs of its files)
             */
            trading: string[];
        };
        /**
         * BotPairsUpdate
         * @description The pairs a bot opens positions on; null returns to the default (every active pair).
         */
        BotPairsUpdate: {
            /**
             * Pairs
             * @description known to /config/pairs
             * @example [
             *       "BTC/USDT",
             *       "ETH/USDT"
             *     ]
             */
            pairs: string[] | null;
        };
        /**
         * BotPortfolioPublic
         * @description One bot's money and results (in all, and per pair).
         */
        BotPortfolioPublic: {
            bot: components["schemas"]["BotKind"];
            /** Capital */
            capital: string;
            /** Closed Trades */
            closed_trades: number;
            /** Fees */
            fees: string;
            /** Name */
            name: string;
            /** Open Trades */
            open_trades: number;
            /**
             * Pairs
             * @description per pair the bot has traded, by symbol; empty before its first trade
             */
            pairs: components["schemas"]["PairPortfolioPublic"][];
            /** Realised Pnl */
            realised_pnl: string;
            /** Reallocated In */
            reallocated_in: string;
            /** Reallocated Out */
            reallocated_out: string;
            risk: components["schemas"]["RiskStatePublic"];
            status: components["schemas"]["BotStatus"];
            /**
             * Unpriced Positions
             * @description open positions left out of unrealised_pnl (no candle of their pair stored)
             */
            unpriced_positions: number;
            /**
             * Unrealised Pnl
             * @description open positions marked at their pair's last stored close, net of fees paid
             */
            unrealised_pnl: string;
            /** Win Rate */
            win_rate: number | null;
        };
        /**
         * BotPublic
         * @description A bot.
         */
        BotPublic: {
            /** Capital */
            capital: string;
            config: components["schemas"]["BotConfigPublic"];
            /** Current Risk Ratio */
            current_risk_ratio: string;
            /**
             * Driven
             * @description a trading runtime is applying that state now (fresh heartbeat); false means nothing trades, whatever the status says
             */
            driven: boolean;
            /**
             * Driven Since
             * @description when the runtime driving it started; null when not driven
             */
            driven_since: string | null;
            /** Id */
            id: number;
            kind: components["schemas"]["BotKind"];
            /** Name */
            name: string;
            /**
             * Pairs
             * @description the pairs it opens positions on, as chosen (PUT /api/bots/{bot}/pairs); null: every active pair of /config/pairs
             */
            pairs: string[] | null;
            requested: components["schemas"]["RequestedStatusPublic"] | null;
            risk_level: components["schemas"]["RiskLevel"];
            /** @description the last runtime seen (null if none ever ran on this database) */
            runtime: components["schemas"]["RuntimePresencePublic"] | null;
            /** @description the run state the bot was last set to */
            status: components["schemas"]["BotStatus"];
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /**
         * BotSettingsUpdate
         * @description Fields to change; ``params`` is checked by the strategy's parameter model.
         */
        BotSettingsUpdate: {
            /** Params */
            params?: {
                [key: string]: unknown;
            } | null;
            /** Risk Ratio */
            risk_ratio?: number | string | null;
            /** Stop Loss */
            stop_loss?: number | string | null;
            /** Strategy */
            strategy?: string | null;
            /** Take Profit */
            take_profit?: number | string | null;
        };
        /**
         * BotStatus
         * @description Run state of a bot.
         * @enum {string}
         */
        BotStatus: "running" | "stopped" | "paused";
        /**
         * BotsPublic
         * @description Bots.
         */
        BotsPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["BotPublic"][];
        };
        /**
         * CandlePublic
         * @description One candle; ``time`` is its open time.
         */
        CandlePublic: {
            /** Close */
            close: number;
            /** High */
            high: number;
            /** Low */
            low: number;
            /** Open */
            open: number;
            /**
             * Time
             * Format: date-time
             */
            time: string;
            /** Volume */
            volume: number;
        };
        /**
         * CandlesPublic
         * @description Candles of one series, oldest first.
         */
        CandlesPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["CandlePublic"][];
            /** Exchange */
            exchange: string;
            /** Pair */
            pair: string;
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * ChannelChoices
         * @description Whether an event goes to each channel.
         */
        ChannelChoices: {
            /** Expo */
            expo: boolean;
            /** Ntfy */
            ntfy: boolean;
            /** Webpush */
            webpush: boolean;
        };
        /**
         * ChartMarkerPublic
         * @description A trade's entry or exit; ``candle_time`` is the open time of the candle it happened in.
         */
        ChartMarkerPublic: {
            /**
             * At
             * Format: date-time
             */
            at: string;
            bot: components["schemas"]["BotKind"];
            /**
             * Candle Time
             * Format: date-time
             */
            candle_time: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "entry" | "exit";
            /** Pnl */
            pnl: string | null;
            /** Price */
            price: string;
            side: components["schemas"]["Side"];
            /** Trade Id */
            trade_id: number;
        };
        /**
         * ChartPublic
         * @description What a chart draws: candles, indicator series and trade markers.
         *
         *     Each series in ``series`` has one value per candle (``null`` before the indicator has
         *     enough history): ``sma_200``, ``ema_50``, ``bb_upper``/``bb_middle``/``bb_lower`` over the
         *     candles; ``rsi_14`` and ``macd``/``macd_signal``/``macd_hist`` in panes.
         */
        ChartPublic: {
            /** Candles */
            candles: components["schemas"]["CandlePublic"][];
            /** Exchange */
            exchange: string;
            /** Markers */
            markers: components["schemas"]["ChartMarkerPublic"][];
            /** Pair */
            pair: string;
            /** Series */
            series: {
                [key: string]: (number | null)[];
            };
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * DrawdownPublic
         * @description Combined equity below its peak, as ratios of the peak (0.05 = 5 %).
         */
        DrawdownPublic: {
            /** Current */
            current: string;
            /** Maximum */
            maximum: string;
            /** Peak Equity */
            peak_equity: string;
        };
        /**
         * EquityPointPublic
         * @description Equity at one candle close.
         */
        EquityPointPublic: {
            /** Equity */
            equity: string;
            /** Time */
            time: string;
        };
        /**
         * ErrorPublic
         * @description Every error answer: one human-readable line.
         */
        ErrorPublic: {
            /** Detail */
            detail: string;
        };
        /**
         * ExitReason
         * @description Why a position was closed.
         * @enum {string}
         */
        ExitReason: "signal" | "stop_loss" | "take_profit" | "end_of_data" | "manual" | "protection_failed";
        /**
         * ExpoDeviceCreate
         * @description Register this phone for native push (``getExpoPushTokenAsync``).
         */
        ExpoDeviceCreate: {
            /**
             * Channel
             * @constant
             */
            channel: "expo";
            /**
             * Label
             * @example Pixel 8
             */
            label?: string | null;
            /**
             * Token
             * @example ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]
             */
            token: string;
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /**
         * HealthPublic
         * @description Readiness: whether every dependency requests need answers.
         *
         *     ``redis`` is ``unused`` on the embedded default (bus and rate limits in memory).
         */
        HealthPublic: {
            /**
             * Bus
             * @enum {string}
             */
            bus: "memory" | "redis";
            /**
             * Database
             * @enum {string}
             */
            database: "ok" | "unavailable";
            /**
             * Influxdb
             * @description the metrics writer: off when not configured; unavailable never fails /health (trading goes on, points are dropped and counted)
             * @enum {string}
             */
            influxdb: "ok" | "unavailable" | "off";
            /**
             * Rate Limits
             * @enum {string}
             */
            rate_limits: "memory" | "redis";
            /** Redis */
            redis: ("ok" | "unavailable") | "unused";
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "degraded";
            /** Version */
            version: string;
        };
        /**
         * IndicatorReadingPublic
         * @description One indicator's reading of the latest candle.
         */
        IndicatorReadingPublic: {
            /** Label */
            label: string;
            /** Name */
            name: string;
            signal: components["schemas"]["Bias"];
            /** Strength */
            strength: number;
            /** Values */
            values: {
                [key: string]: number | null;
            };
            /** Weight */
            weight: number;
        };
        /**
         * IndicatorsPublic
         * @description Every indicator's reading; ``source`` says whether the engine or this request made it.
         */
        IndicatorsPublic: {
            /**
             * Candle Time
             * Format: date-time
             */
            candle_time: string;
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["IndicatorReadingPublic"][];
            /** Exchange */
            exchange: string;
            /** Pair */
            pair: string;
            /**
             * Source
             * @enum {string}
             */
            source: "engine" | "computed";
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * LiveTradingPublic
         * @description The switch, and what else blocks real orders (``effective`` is True only with none).
         */
        LiveTradingPublic: {
            /** Blockers */
            blockers: string[];
            /** Changed At */
            changed_at: string | null;
            /** Changed By */
            changed_by: string | null;
            /** Confirmation Phrase */
            confirmation_phrase: string;
            /** Effective */
            effective: boolean;
            /** Enabled */
            enabled: boolean;
            /** Exchange */
            exchange: string;
            mode: components["schemas"]["TradingMode"];
        };
        /**
         * LiveTradingUpdate
         * @description Turn live trading on (with ``confirmation`` = the phrase, and your password) or off.
         */
        LiveTradingUpdate: {
            /** Confirmation */
            confirmation?: string | null;
            /** Enabled */
            enabled: boolean;
            /** Password */
            password?: string | null;
        };
        /**
         * LivenessPublic
         * @description The process is up and serving (it says nothing of what it depends on).
         */
        LivenessPublic: {
            /**
             * Status
             * @constant
             */
            status: "ok";
            /** Version */
            version: string;
        };
        /**
         * LoginRequest
         * @description Username and password.
         */
        LoginRequest: {
            /** Password */
            password: string;
            /** Username */
            username: string;
        };
        /**
         * MetricsPublic
         * @description Every metric of a run (docs/backtesting.md); money as strings.
         */
        MetricsPublic: {
            /** Average Trade */
            average_trade: number | null;
            /** Best Trade */
            best_trade: number | null;
            /** Cagr */
            cagr: number | null;
            /** Expectancy */
            expectancy: string | null;
            /** Exposure */
            exposure: number | null;
            /** Fees Paid */
            fees_paid: string;
            /** Final Capital */
            final_capital: string;
            /** Initial Capital */
            initial_capital: string;
            /** Max Drawdown */
            max_drawdown: number | null;
            /** Max Drawdown Peak */
            max_drawdown_peak: string | null;
            /** Max Drawdown Recovery */
            max_drawdown_recovery: string | null;
            /** Max Drawdown Trough */
            max_drawdown_trough: string | null;
            /** Net Profit */
            net_profit: string;
            /** Profit Factor */
            profit_factor: number | null;
            /** Sharpe Ratio */
            sharpe_ratio: number | null;
            /** Sortino Ratio */
            sortino_ratio: number | null;
            /** Total Return */
            total_return: number | null;
            /** Total Trades */
            total_trades: number;
            /** Win Rate */
            win_rate: number | null;
            /** Worst Trade */
            worst_trade: number | null;
        };
        /**
         * MultiPairBotPublic
         * @description One bot over every pair: metrics on its merged equity, each pair's share, its trades.
         */
        MultiPairBotPublic: {
            /** Average Trade */
            average_trade: number | null;
            /** Best Trade */
            best_trade: number | null;
            /** Cagr */
            cagr: number | null;
            /** Equity Curve */
            equity_curve: components["schemas"]["EquityPointPublic"][];
            /** Expectancy */
            expectancy: string | null;
            /** Exposure */
            exposure: number | null;
            /** Fees Paid */
            fees_paid: string;
            /** Final Capital */
            final_capital: string;
            /** Initial Capital */
            initial_capital: string;
            /** Max Drawdown */
            max_drawdown: number | null;
            /** Max Drawdown Peak */
            max_drawdown_peak: string | null;
            /** Max Drawdown Recovery */
            max_drawdown_recovery: string | null;
            /** Max Drawdown Trough */
            max_drawdown_trough: string | null;
            /** Net Profit */
            net_profit: string;
            /** Pairs */
            pairs: {
                [key: string]: components["schemas"]["PairSharePublic"];
            };
            /** Profit Factor */
            profit_factor: number | null;
            /** Refused Entries */
            refused_entries: number;
            /** Sharpe Ratio */
            sharpe_ratio: number | null;
            /** Sortino Ratio */
            sortino_ratio: number | null;
            /** Strategy */
            strategy: string;
            /** Total Return */
            total_return: number | null;
            /** Total Trades */
            total_trades: number;
            /** Trades */
            trades: components["schemas"]["PairTradePublic"][];
            /** Win Rate */
            win_rate: number | null;
            /** Worst Trade */
            worst_trade: number | null;
        };
        /**
         * MultiPairBotsPublic
         * @description Each bot of a multi-pair run.
         */
        MultiPairBotsPublic: {
            aggressive: components["schemas"]["MultiPairBotPublic"];
            safe: components["schemas"]["MultiPairBotPublic"];
        };
        /**
         * MultiPairRunPublic
         * @description Both bots over several pairs at one ratio (``backtest portfolio --stored ... --json``).
         */
        MultiPairRunPublic: {
            /** Average Trade */
            average_trade: number | null;
            /** Best Trade */
            best_trade: number | null;
            bots: components["schemas"]["MultiPairBotsPublic"];
            /** Buy And Hold */
            buy_and_hold: {
                [key: string]: components["schemas"]["MetricsPublic"];
            };
            /** Cagr */
            cagr: number | null;
            /** End */
            end: string | null;
            /** Equity Curve */
            equity_curve: components["schemas"]["EquityPointPublic"][];
            /** Expectancy */
            expectancy: string | null;
            /** Exposure */
            exposure: number | null;
            /** Fees Paid */
            fees_paid: string;
            /** Final Capital */
            final_capital: string;
            /** Initial Capital */
            initial_capital: string;
            /** Max Drawdown */
            max_drawdown: number | null;
            /** Max Drawdown Peak */
            max_drawdown_peak: string | null;
            /** Max Drawdown Recovery */
            max_drawdown_recovery: string | null;
            /** Max Drawdown Trough */
            max_drawdown_trough: string | null;
            /** Net Profit */
            net_profit: string;
            /** Pairs */
            pairs: string[];
            /** Profit Factor */
            profit_factor: number | null;
            /** Reallocation Ratio */
            reallocation_ratio: string;
            /** Reallocations */
            reallocations: components["schemas"]["PairReallocationPublic"][];
            /** Risk Changes */
            risk_changes: components["schemas"]["PairRiskChangePublic"][];
            /** Sharpe Ratio */
            sharpe_ratio: number | null;
            /** Sortino Ratio */
            sortino_ratio: number | null;
            /** Start */
            start: string | null;
            /** Timeframe */
            timeframe: string;
            /** Total Return */
            total_return: number | null;
            /** Total Trades */
            total_trades: number;
            /** Win Rate */
            win_rate: number | null;
            /** Worst Trade */
            worst_trade: number | null;
        };
        /**
         * NotificationDeliveriesPublic
         * @description The caller's newest deliveries, newest first.
         */
        NotificationDeliveriesPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["NotificationDeliveryPublic"][];
        };
        /**
         * NotificationDeliveryPublic
         * @description One notification sent (or being sent) to one device or topic.
         */
        NotificationDeliveryPublic: {
            /** Attempts */
            attempts: number;
            /**
             * Channel
             * @enum {string}
             */
            channel: "webpush" | "expo" | "ntfy";
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Device Id */
            device_id: number | null;
            /** Event */
            event: string;
            /** Id */
            id: number;
            /** Last Error */
            last_error: string | null;
            /** Sent At */
            sent_at: string | null;
            /**
             * Status
             * @enum {string}
             */
            status: "pending" | "sending" | "sent" | "failed" | "gone";
            /** Title */
            title: string;
        };
        /**
         * NotificationDevicePublic
         * @description A registered device; ``address_masked`` is the push service's host or the token masked.
         */
        NotificationDevicePublic: {
            /** Address Masked */
            address_masked: string;
            /**
             * Channel
             * @enum {string}
             */
            channel: "webpush" | "expo";
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Id */
            id: number;
            /** Label */
            label: string | null;
            /** Last Sent At */
            last_sent_at: string | null;
        };
        /**
         * NotificationEventPublic
         * @description One notifiable event and where it goes.
         */
        NotificationEventPublic: {
            channels: components["schemas"]["ChannelChoices"];
            /** Description */
            description: string;
            /**
             * Event
             * @example trade_closed
             */
            event: string;
        };
        /**
         * NotificationPreferencesUpdate
         * @description Per-event, per-channel switches (only those named change) and the notifications' language.
         *
         *     Example: ``{"events": {"trade_opened": {"expo": false}}, "language": "fr"}``.
         */
        NotificationPreferencesUpdate: {
            /** Events */
            events?: {
                [key: string]: {
                    [key: string]: boolean;
                };
            } | null;
            /** Language */
            language?: ("en" | "fr") | null;
        };
        /**
         * NotificationSettingsPublic
         * @description The caller's notifications.
         *
         *     ``push_enabled`` is the platform's switch (an admin's ``PATCH /config/notifications``): off,
         *     nothing is pushed whatever the choices. ``web_push_available`` is False when the server has
         *     no encryption key (it could not keep a VAPID private key).
         */
        NotificationSettingsPublic: {
            /** Devices */
            devices: components["schemas"]["NotificationDevicePublic"][];
            /** Events */
            events: components["schemas"]["NotificationEventPublic"][];
            /**
             * Language
             * @enum {string}
             */
            language: "en" | "fr";
            ntfy: components["schemas"]["NtfyPublic"] | null;
            /** Push Enabled */
            push_enabled: boolean;
            /** Web Push Available */
            web_push_available: boolean;
        };
        /**
         * NotificationTestPublic
         * @description The test notification's result on each channel.
         */
        NotificationTestPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["NotificationTestResultPublic"][];
        };
        /**
         * NotificationTestResultPublic
         * @description What one channel said to the test.
         *
         *     ``sent``; ``retry`` (busy or rate limited: try later); ``gone`` (the device no longer exists
         *     and was removed); ``failed`` (refused; ``detail`` says why).
         */
        NotificationTestResultPublic: {
            /**
             * Channel
             * @enum {string}
             */
            channel: "webpush" | "expo" | "ntfy";
            /** Detail */
            detail: string;
            /** Device Id */
            device_id: number | null;
            /**
             * Status
             * @enum {string}
             */
            status: "sent" | "retry" | "gone" | "failed";
        };
        /**
         * NotificationsPublic
         * @description Which alerts go out, and where; the webhook URL is masked.
         */
        NotificationsPublic: {
            /** Discord Enabled */
            discord_enabled: boolean;
            /** Discord Webhook */
            discord_webhook: string | null;
            /** Enabled */
            enabled: boolean;
            /**
             * Min Severity
             * @enum {string}
             */
            min_severity: "info" | "warning" | "critical";
            /** Muted Kinds */
            muted_kinds: string[];
            /** Push Enabled */
            push_enabled: boolean;
        };
        /**
         * NotificationsUpdate
         * @description Fields to change; ``discord_webhook_url`` "" clears it.
         */
        NotificationsUpdate: {
            /** Discord Enabled */
            discord_enabled?: boolean | null;
            /** Discord Webhook Url */
            discord_webhook_url?: string | null;
            /** Enabled */
            enabled?: boolean | null;
            /** Min Severity */
            min_severity?: ("info" | "warning" | "critical") | null;
            /** Muted Kinds */
            muted_kinds?: string[] | null;
            /** Push Enabled */
            push_enabled?: boolean | null;
        };
        /**
         * NtfyPublic
         * @description The ntfy topic notifications go to; the access token is never returned.
         */
        NtfyPublic: {
            /**
             * Base Url
             * @example https://ntfy.sh
             */
            base_url: string;
            /** Token Set */
            token_set: boolean;
            /** Topic */
            topic: string;
        };
        /**
         * NtfyPut
         * @description Send notifications to an ntfy topic (self-hosted or ntfy.sh).
         */
        NtfyPut: {
            /**
             * Base Url
             * @description e.g. https://ntfy.sh or your own server
             */
            base_url: string;
            /**
             * Token
             * @description an ntfy access token; stored encrypted
             */
            token?: string | null;
            /**
             * Topic
             * @example alice-trades
             */
            topic: string;
        };
        /**
         * OptimizationApply
         * @description Which bot gets the result, and which chosen trial (default: the best).
         */
        OptimizationApply: {
            bot: components["schemas"]["BotKind"];
            /** Trial */
            trial?: number | null;
        };
        /**
         * OptimizationCreate
         * @description A study of one strategy on stored candles (``start`` <= open time < ``end``).
         */
        OptimizationCreate: {
            /** Early Stop */
            early_stop?: number | null;
            /** End */
            end?: string | null;
            /**
             * Exchange
             * @default binance
             */
            exchange: string;
            /** Fee */
            fee?: number | string | null;
            /**
             * Fixed
             * @description not searched
             */
            fixed?: {
                [key: string]: string | number | boolean;
            };
            /**
             * Grid Points
             * @default 5
             */
            grid_points: number;
            /**
             * Initial Capital
             * @default 1000
             */
            initial_capital: number | string;
            /** Max Drawdown */
            max_drawdown?: number | null;
            /**
             * Min Trades
             * @default 10
             */
            min_trades: number;
            /**
             * Monte Carlo
             * @description runs; 0: none
             * @default 1000
             */
            monte_carlo: number;
            /** Objectives */
            objectives?: string[];
            /**
             * Pair
             * @example BTC/USDT
             */
            pair: string;
            /**
             * Protection
             * @description search stop-loss and take-profit
             * @default true
             */
            protection: boolean;
            /**
             * Ranges
             * @description NAME -> LOW:HIGH[:STEP]
             * @example {
             *       "fast": "5:50"
             *     }
             */
            ranges?: {
                [key: string]: string;
            };
            /**
             * Sampler
             * @default tpe
             * @enum {string}
             */
            sampler: "tpe" | "nsga2" | "grid" | "random";
            /** Seed */
            seed?: number | null;
            /** Slippage */
            slippage?: number | string | null;
            /** Stake */
            stake?: number | string | null;
            /** Start */
            start?: string | null;
            /**
             * Strategy
             * @example sma_cross
             */
            strategy: string;
            /** @default 1h */
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Trials
             * @description per study (per window)
             * @default 100
             */
            trials: number;
            walk_forward?: components["schemas"]["WalkForwardCreate"] | null;
        };
        /**
         * OptimizationJobPublic
         * @description A job and where it stands.
         */
        OptimizationJobPublic: {
            job: components["schemas"]["BacktestJobPublic"];
            progress: components["schemas"]["OptimizationProgressPublic"];
        };
        /**
         * OptimizationJobsPublic
         * @description One page of the caller's optimisation jobs.
         */
        OptimizationJobsPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["BacktestJobPublic"][];
        };
        /**
         * OptimizationProgressPublic
         * @description Trials finished of all (windows x trials), best value so far, walk-forward window.
         */
        OptimizationProgressPublic: {
            /** Best Value */
            best_value: number | null;
            /** Trials Done */
            trials_done: number;
            /** Trials Total */
            trials_total: number;
            /** Window */
            window: number | null;
            /** Windows */
            windows: number | null;
        };
        /**
         * OptimizationResultPublic
         * @description A finished job and its report.
         *
         *     The study (chosen trials backtested again exactly, importance, top trials) or the
         *     walk-forward windows, then the Monte Carlo and the warnings.
         */
        OptimizationResultPublic: {
            job: components["schemas"]["BacktestJobPublic"];
            /** Monte Carlo */
            monte_carlo: {
                [key: string]: unknown;
            } | null;
            /** Study */
            study: {
                [key: string]: unknown;
            } | null;
            /** Title */
            title: string;
            /** Walk Forward */
            walk_forward: {
                [key: string]: unknown;
            } | null;
            /** Warnings */
            warnings: string[];
        };
        /**
         * PairCreate
         * @description A market to add (or reactivate).
         */
        PairCreate: {
            /**
             * Exchange
             * @example binance
             */
            exchange: string;
            /**
             * Symbol
             * @example BTC/USDT
             */
            symbol: string;
        };
        /**
         * PairPortfolioPublic
         * @description One bot's results on one pair, and its open position there.
         */
        PairPortfolioPublic: {
            /** Closed Trades */
            closed_trades: number;
            /** Fees */
            fees: string;
            /**
             * Open Notional
             * @description entry price x quantity of the open positions
             */
            open_notional: string;
            /**
             * Open Quantity
             * @description base amount held in open positions
             */
            open_quantity: string;
            /** Open Trades */
            open_trades: number;
            /**
             * Pair
             * @example BTC/USDT
             */
            pair: string;
            /** Realised Pnl */
            realised_pnl: string;
            /** Win Rate */
            win_rate: number | null;
        };
        /**
         * PairPublic
         * @description A market.
         */
        PairPublic: {
            /** Base */
            base: string;
            /** Exchange */
            exchange: string;
            /** Id */
            id: number;
            /** Is Active */
            is_active: boolean;
            /** Quote */
            quote: string;
            /** Symbol */
            symbol: string;
        };
        /**
         * PairReallocationPublic
         * @description A reallocation of a multi-pair run, with the pair of the winning trade.
         */
        PairReallocationPublic: {
            /** Aggressive Trade */
            aggressive_trade: number;
            /** Amount */
            amount: string;
            /** Pair */
            pair: string | null;
            /** Profit */
            profit: string;
            /** Time */
            time: string | null;
        };
        /**
         * PairRiskChangePublic
         * @description A risk change of a multi-pair run, with the pair of the trade that caused it.
         */
        PairRiskChangePublic: {
            /** Bot */
            bot: string;
            /** Pair */
            pair: string | null;
            /** Reason */
            reason: string;
            /** Risk After */
            risk_after: string;
            /** Risk Before */
            risk_before: string;
            /** Time */
            time: string | null;
        };
        /**
         * PairSharePublic
         * @description One bot's trading on one pair of a multi-pair run.
         */
        PairSharePublic: {
            /** Fees Paid */
            fees_paid: string;
            /** Net Pnl */
            net_pnl: string;
            /** Refused Entries */
            refused_entries: number;
            /** Total Trades */
            total_trades: number;
            /** Win Rate */
            win_rate: number | null;
        };
        /**
         * PairTradePublic
         * @description A simulated trade of a multi-pair run, with its pair.
         */
        PairTradePublic: {
            /** Confidence */
            confidence: number | null;
            /** Entry Price */
            entry_price: string;
            /** Entry Time */
            entry_time: string | null;
            /** Exit Price */
            exit_price: string | null;
            /** Exit Time */
            exit_time: string | null;
            /** Fees */
            fees: string;
            /** Pair */
            pair: string;
            /** Pnl */
            pnl: string | null;
            /** Pnl Percent */
            pnl_percent: number | null;
            /** Quantity */
            quantity: string;
            /** Reason */
            reason: string | null;
            /** Stop Loss */
            stop_loss: string | null;
            /** Take Profit */
            take_profit: string | null;
        };
        /**
         * PairUpdate
         * @description Activate or deactivate a pair.
         */
        PairUpdate: {
            /** Is Active */
            is_active: boolean;
        };
        /**
         * PairsPublic
         * @description Markets.
         */
        PairsPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["PairPublic"][];
        };
        /**
         * ParameterSpecPublic
         * @description One parameter; bounds keep JSON Schema's meaning (exclusive ones are strict).
         */
        ParameterSpecPublic: {
            /** Choices */
            choices: string[] | null;
            /**
             * Default
             * @description what the strategy applies when the parameter is not given
             */
            default: unknown;
            /** Description */
            description: string | null;
            /** Exclusive Maximum */
            exclusive_maximum: number | null;
            /** Exclusive Minimum */
            exclusive_minimum: number | null;
            /**
             * Kind
             * @enum {string}
             */
            kind: "integer" | "number" | "boolean" | "choice" | "string";
            /** Maximum */
            maximum: number | null;
            /** Minimum */
            minimum: number | null;
            /** Name */
            name: string;
            /** Nullable */
            nullable: boolean;
            /**
             * Search
             * @description the optimiser's search range (low, high, step, log), when tunable
             */
            search: {
                [key: string]: unknown;
            } | null;
        };
        /**
         * PasswordChange
         * @description The current password and the new one (12 to 256 characters).
         */
        PasswordChange: {
            /** Current Password */
            current_password: string;
            /** New Password */
            new_password: string;
        };
        /**
         * PortfolioBacktestCreate
         * @description Both bots on the same candles with reallocation, as ``backtest portfolio`` takes them.
         *
         *     ``reallocation`` runs one ratio; ``sweep`` (``START:STOP:STEP``, inclusive) runs each ratio
         *     of the range on the same indicators. None: the trading settings' value.
         */
        PortfolioBacktestCreate: {
            /** Aggressive Capital */
            aggressive_capital?: number | string | null;
            /**
             * Aggressive Strategy
             * @default aggressive
             */
            aggressive_strategy: string;
            /** End */
            end?: string | null;
            /**
             * Exchange
             * @default binance
             */
            exchange: string;
            /** Fee */
            fee?: number | string | null;
            /**
             * Fill
             * @default open
             * @enum {string}
             */
            fill: "open" | "close";
            /**
             * On Deep Streak
             * @default quarter
             * @enum {string}
             */
            on_deep_streak: "quarter" | "pause";
            /**
             * Pair
             * @example BTC/USDT
             */
            pair: string;
            /**
             * Pairs
             * @description several stored pairs (of `exchange` and `timeframe`) traded together, as `backtest portfolio --stored PAIR` repeated; `pair` must be one of them. The report is then in `multipair`, one entry per ratio, with each pair's share.
             * @example [
             *       "BTC/USDT",
             *       "ETH/USDT"
             *     ]
             */
            pairs?: string[] | null;
            /** Reallocation */
            reallocation?: number | string | null;
            /** Safe Capital */
            safe_capital?: number | string | null;
            /**
             * Safe Strategy
             * @default conservative
             */
            safe_strategy: string;
            /** Slippage */
            slippage?: number | string | null;
            /** Start */
            start?: string | null;
            /**
             * Sweep
             * @example 0.1:0.5:0.1
             */
            sweep?: string | null;
            /** @default 1h */
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * PortfolioBotsPublic
         * @description Each bot's own report in a portfolio run.
         */
        PortfolioBotsPublic: {
            aggressive: components["schemas"]["BacktestReportPublic"];
            safe: components["schemas"]["BacktestReportPublic"];
        };
        /**
         * PortfolioPublic
         * @description Both bots, totals, the latest reallocations and the trading mode.
         */
        PortfolioPublic: {
            /** Bots */
            bots: components["schemas"]["BotPortfolioPublic"][];
            drawdown: components["schemas"]["DrawdownPublic"];
            limits: components["schemas"]["RiskLimitsPublic"];
            /** Live Trading Enabled */
            live_trading_enabled: boolean;
            mode: components["schemas"]["TradingMode"];
            /**
             * Realised Today
             * @description both bots' P&L closed since 00:00 UTC
             */
            realised_today: string;
            /** Reallocations */
            reallocations: components["schemas"]["ReallocationPublic"][];
            /** Total Capital */
            total_capital: string;
            /**
             * Total Equity
             * @description capital plus the open positions marked now
             */
            total_equity: string;
            /** Total Realised Pnl */
            total_realised_pnl: string;
            /** Total Unrealised Pnl */
            total_unrealised_pnl: string;
        };
        /**
         * PortfolioRunPublic
         * @description Both bots at one reallocation ratio: combined metrics and equity, each bot, the moves.
         */
        PortfolioRunPublic: {
            /** Average Trade */
            average_trade: number | null;
            /** Best Trade */
            best_trade: number | null;
            bots: components["schemas"]["PortfolioBotsPublic"];
            buy_and_hold: components["schemas"]["MetricsPublic"];
            /** Cagr */
            cagr: number | null;
            /** Equity Curve */
            equity_curve: components["schemas"]["EquityPointPublic"][];
            /** Expectancy */
            expectancy: string | null;
            /** Exposure */
            exposure: number | null;
            /** Fees Paid */
            fees_paid: string;
            /** Final Capital */
            final_capital: string;
            /** Initial Capital */
            initial_capital: string;
            /** Max Drawdown */
            max_drawdown: number | null;
            /** Max Drawdown Peak */
            max_drawdown_peak: string | null;
            /** Max Drawdown Recovery */
            max_drawdown_recovery: string | null;
            /** Max Drawdown Trough */
            max_drawdown_trough: string | null;
            /** Net Profit */
            net_profit: string;
            /** Profit Factor */
            profit_factor: number | null;
            /** Reallocation Ratio */
            reallocation_ratio: string;
            /** Reallocations */
            reallocations: components["schemas"]["BacktestReallocationPublic"][];
            /** Risk Changes */
            risk_changes: components["schemas"]["RiskChangePublic"][];
            /** Sharpe Ratio */
            sharpe_ratio: number | null;
            /** Sortino Ratio */
            sortino_ratio: number | null;
            /** Total Return */
            total_return: number | null;
            /** Total Trades */
            total_trades: number;
            /** Win Rate */
            win_rate: number | null;
            /** Worst Trade */
            worst_trade: number | null;
        };
        /**
         * PushSubscriptionIn
         * @description ``PushSubscription.toJSON()`` exactly as the browser returns it.
         */
        PushSubscriptionIn: {
            /** Endpoint */
            endpoint: string;
            /** Expirationtime */
            expirationTime?: number | null;
            keys: components["schemas"]["PushSubscriptionKeys"];
        };
        /**
         * PushSubscriptionKeys
         * @description The subscription's keys, base64url as the browser gives them.
         */
        PushSubscriptionKeys: {
            /** Auth */
            auth: string;
            /** P256Dh */
            p256dh: string;
        };
        /**
         * ReallocationPublic
         * @description Capital moved after a winning trade.
         */
        ReallocationPublic: {
            /** Amount */
            amount: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            from_bot: components["schemas"]["BotKind"];
            /** Id */
            id: number;
            /** Ratio */
            ratio: string;
            to_bot: components["schemas"]["BotKind"];
            /** Trigger Trade Id */
            trigger_trade_id: number | null;
        };
        /**
         * ReallocationsPublic
         * @description One page of reallocations.
         */
        ReallocationsPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["ReallocationPublic"][];
        };
        /**
         * RefreshRequest
         * @description The refresh token to rotate.
         */
        RefreshRequest: {
            /** Refresh Token */
            refresh_token: string;
        };
        /**
         * RequestedStatusPublic
         * @description The run state last asked for (the runtime's ``status`` follows it).
         */
        RequestedStatusPublic: {
            /** Action */
            action: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** By */
            by: string;
            status: components["schemas"]["BotStatus"];
        };
        /**
         * RiskChangePublic
         * @description A bot's risk ratio changed after a losing or winning streak.
         */
        RiskChangePublic: {
            /** Bot */
            bot: string;
            /** Reason */
            reason: string;
            /** Risk After */
            risk_after: string;
            /** Risk Before */
            risk_before: string;
            /** Time */
            time: string | null;
        };
        /**
         * RiskLevel
         * @description Risk appetite of a bot, as shown to people (the ratio itself is a number).
         * @enum {string}
         */
        RiskLevel: "low" | "mid" | "max";
        /**
         * RiskLimitsPublic
         * @description The risk limits the runtime applies.
         */
        RiskLimitsPublic: {
            /**
             * Daily Loss Limit
             * @description a bot's UTC-day loss / its capital
             */
            daily_loss_limit: string;
            /**
             * Max Bot Exposure
             * @description a bot's open notional / its capital
             */
            max_bot_exposure: string;
            /**
             * Max Exposure
             * @description largest entry notional / bot capital
             */
            max_exposure: string;
            /**
             * Max Open Positions
             * @description open positions, both bots and every pair
             */
            max_open_positions: number;
            /**
             * Max Pair Exposure
             * @description one pair's open notional (both bots) / both bots' capital
             */
            max_pair_exposure: string;
            /**
             * Max Positions Per Bot
             * @description open positions of one bot, every pair
             */
            max_positions_per_bot: number;
            /**
             * On Deep Streak
             * @description 'quarter' risk or 'pause' after 5 losses
             */
            on_deep_streak: string;
            /**
             * Order Failures To Pause
             * @description the circuit breaker's threshold
             */
            order_failures_to_pause: number;
        };
        /**
         * RiskStatePublic
         * @description Risk now against the configured ratio (``reduction`` 1, 0.5 or 0.25 by default).
         */
        RiskStatePublic: {
            /** Base Risk Ratio */
            base_risk_ratio: string;
            /** Current Risk Ratio */
            current_risk_ratio: string;
            /**
             * Daily Loss Limit
             * @description today's loss at which entries stop (day-start capital x the limit)
             */
            daily_loss_limit: string;
            /** Losing Streak */
            losing_streak: number;
            /** Paused */
            paused: boolean;
            /** Realised Today */
            realised_today: string;
            /** Reduction */
            reduction: string;
        };
        /**
         * Role
         * @description What a person may do.
         * @enum {string}
         */
        Role: "viewer" | "trader" | "admin";
        /**
         * RotationPublic
         * @description How many stored secrets (exchange keys, the webhook) the newest key re-encrypted.
         */
        RotationPublic: {
            /** Re Encrypted */
            re_encrypted: number;
        };
        /**
         * RuntimeMarketPublic
         * @description A stored candle series a runtime trades (names as in ``/api/market/series``).
         */
        RuntimeMarketPublic: {
            /** Exchange */
            exchange: string;
            /** Pair */
            pair: string;
            /** Timeframe */
            timeframe: string;
        };
        /**
         * RuntimePresencePublic
         * @description The last trading runtime seen driving the bots (its heartbeat).
         */
        RuntimePresencePublic: {
            /**
             * Market
             * @description what it trades, in words
             */
            market: string;
            /**
             * Markets
             * @description the stored series it trades (the dashboard's market); empty from a runtime of an older version
             */
            markets?: components["schemas"]["RuntimeMarketPublic"][];
            /**
             * Mode
             * @description paper or live
             */
            mode: string;
            /**
             * Seen At
             * Format: date-time
             * @description its last heartbeat (every few seconds while alive)
             */
            seen_at: string;
            /**
             * Started At
             * Format: date-time
             * @description when it started
             */
            started_at: string;
            /**
             * Stopped At
             * @description when it stopped cleanly; null if not
             */
            stopped_at: string | null;
        };
        /**
         * Scope
         * @description What a service token may do (within its owner's role).
         * @enum {string}
         */
        Scope: "read" | "control";
        /**
         * SeriesImportPublic
         * @description What an uploaded candle file stored, and what the file held.
         *
         *     ``series`` is the series as it is now: earlier candles kept, the file's replacing those at
         *     the same times.
         */
        SeriesImportPublic: {
            /** Gaps */
            gaps: number;
            /** Imported */
            imported: number;
            /** Missing */
            missing: number;
            series: components["schemas"]["SeriesPublic"];
        };
        /**
         * SeriesListPublic
         * @description Stored candle series.
         */
        SeriesListPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["SeriesPublic"][];
        };
        /**
         * SeriesPublic
         * @description A stored candle series.
         */
        SeriesPublic: {
            /** Count */
            count: number;
            /** Exchange */
            exchange: string;
            /**
             * First
             * Format: date-time
             */
            first: string;
            /**
             * Last
             * Format: date-time
             */
            last: string;
            /** Pair */
            pair: string;
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * ServiceTokenCreate
         * @description A new service token: a name, its scopes, and an optional lifetime.
         */
        ServiceTokenCreate: {
            /** Expires In Days */
            expires_in_days?: number | null;
            /** Name */
            name: string;
            /** Scopes */
            scopes: components["schemas"]["Scope"][];
        };
        /**
         * ServiceTokenCreated
         * @description A new service token: ``token`` is shown this once and never again.
         */
        ServiceTokenCreated: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Id */
            id: number;
            /** Last Used At */
            last_used_at: string | null;
            /** Name */
            name: string;
            /** Revoked At */
            revoked_at: string | null;
            /** Scopes */
            scopes: components["schemas"]["Scope"][];
            /** Token */
            token: string;
            /** User Id */
            user_id: number;
        };
        /**
         * ServiceTokenPublic
         * @description A service token's metadata.
         */
        ServiceTokenPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Id */
            id: number;
            /** Last Used At */
            last_used_at: string | null;
            /** Name */
            name: string;
            /** Revoked At */
            revoked_at: string | null;
            /** Scopes */
            scopes: components["schemas"]["Scope"][];
            /** User Id */
            user_id: number;
        };
        /**
         * ServiceTokensPublic
         * @description Service tokens.
         */
        ServiceTokensPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["ServiceTokenPublic"][];
        };
        /**
         * Side
         * @description Direction of an order or a trade.
         * @enum {string}
         */
        Side: "buy" | "sell";
        /**
         * SignalAction
         * @description What the decision engine asks the order engine to do.
         * @enum {string}
         */
        SignalAction: "buy" | "sell" | "hold";
        /**
         * SignalPublic
         * @description A bot's latest trading signal, with each indicator's share of the score.
         */
        SignalPublic: {
            action: components["schemas"]["SignalAction"];
            bot: components["schemas"]["BotKind"];
            /** Confidence */
            confidence: number;
            /** Contributions */
            contributions: {
                [key: string]: number;
            };
            /** Score */
            score: number;
            /**
             * Source
             * @enum {string}
             */
            source: "engine" | "computed";
            /** Strategy */
            strategy: string;
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
        };
        /**
         * SignalsPublic
         * @description The latest signal of each bot on a market.
         */
        SignalsPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["SignalPublic"][];
            /** Exchange */
            exchange: string;
            /** Pair */
            pair: string;
            timeframe: components["schemas"]["Timeframe"];
        };
        /**
         * StrategiesPublic
         * @description Every registered strategy.
         */
        StrategiesPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["StrategySpecPublic"][];
        };
        /**
         * StrategySpecPublic
         * @description A registered strategy.
         */
        StrategySpecPublic: {
            /** Description */
            description: string;
            /** Name */
            name: string;
            /** Parameters */
            parameters: components["schemas"]["ParameterSpecPublic"][];
            /** Target Bot */
            target_bot: string | null;
        };
        /**
         * Timeframe
         * @description A candle duration, spelled as exchanges and ccxt spell it (``1m`` ... ``1M``).
         * @enum {string}
         */
        Timeframe: "1m" | "5m" | "15m" | "30m" | "1h" | "4h" | "1d" | "1w" | "1M";
        /**
         * TokenPublic
         * @description A login session's tokens: the access token lasts ``expires_in`` seconds.
         */
        TokenPublic: {
            /** Access Token */
            access_token: string;
            /** Expires In */
            expires_in: number;
            /** Refresh Token */
            refresh_token: string;
            /**
             * Token Type
             * @default bearer
             * @constant
             */
            token_type: "bearer";
        };
        /**
         * TradeDetailPublic
         * @description A trade with the indicator snapshot taken when it opened.
         */
        TradeDetailPublic: {
            bot: components["schemas"]["BotKind"];
            /** Closed At */
            closed_at: string | null;
            /** Confidence */
            confidence: string | null;
            /** Entry Price */
            entry_price: string;
            /** Exchange */
            exchange: string;
            /** Exit Price */
            exit_price: string | null;
            exit_reason: components["schemas"]["ExitReason"] | null;
            /** Fees */
            fees: string;
            /** Id */
            id: number;
            /** Indicators */
            indicators: {
                [key: string]: unknown;
            } | null;
            /**
             * Opened At
             * Format: date-time
             */
            opened_at: string;
            /** Pair */
            pair: string;
            /** Pnl */
            pnl: string | null;
            /** Pnl Percent */
            pnl_percent: string | null;
            /** Quantity */
            quantity: string;
            /** Risk Reward Ratio */
            risk_reward_ratio: string | null;
            side: components["schemas"]["Side"];
            status: components["schemas"]["TradeStatus"];
            /** Stop Loss */
            stop_loss: string | null;
            /** Take Profit */
            take_profit: string | null;
        };
        /**
         * TradePublic
         * @description A trade: a position from entry to exit; P&L is net of fees.
         */
        TradePublic: {
            bot: components["schemas"]["BotKind"];
            /** Closed At */
            closed_at: string | null;
            /** Confidence */
            confidence: string | null;
            /** Entry Price */
            entry_price: string;
            /** Exchange */
            exchange: string;
            /** Exit Price */
            exit_price: string | null;
            exit_reason: components["schemas"]["ExitReason"] | null;
            /** Fees */
            fees: string;
            /** Id */
            id: number;
            /**
             * Opened At
             * Format: date-time
             */
            opened_at: string;
            /** Pair */
            pair: string;
            /** Pnl */
            pnl: string | null;
            /** Pnl Percent */
            pnl_percent: string | null;
            /** Quantity */
            quantity: string;
            /** Risk Reward Ratio */
            risk_reward_ratio: string | null;
            side: components["schemas"]["Side"];
            status: components["schemas"]["TradeStatus"];
            /** Stop Loss */
            stop_loss: string | null;
            /** Take Profit */
            take_profit: string | null;
        };
        /**
         * TradeStatus
         * @description A trade is a position from entry to exit.
         * @enum {string}
         */
        TradeStatus: "open" | "closed" | "cancelled";
        /**
         * TradesPublic
         * @description One page of trades and the number matching in all.
         */
        TradesPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["TradePublic"][];
        };
        /**
         * TradingMode
         * @description Paper trading simulates fills; live sends real orders (explicit switch only).
         * @enum {string}
         */
        TradingMode: "paper" | "live";
        /**
         * UserCreate
         * @description A new user (admins only).
         */
        UserCreate: {
            /** Email */
            email?: string | null;
            /** Password */
            password: string;
            /** @default viewer */
            role: components["schemas"]["Role"];
            /** Username */
            username: string;
        };
        /**
         * UserPublic
         * @description A user (never the password hash).
         */
        UserPublic: {
            /** Created At */
            created_at: string | null;
            /** Email */
            email: string | null;
            /** Id */
            id: number;
            /** Is Active */
            is_active: boolean;
            /** Last Login At */
            last_login_at: string | null;
            role: components["schemas"]["Role"];
            /** Username */
            username: string;
        };
        /**
         * UserUpdate
         * @description Change a user's role or deactivate them; their sessions are revoked.
         */
        UserUpdate: {
            /** Is Active */
            is_active?: boolean | null;
            role?: components["schemas"]["Role"] | null;
        };
        /**
         * UsersPublic
         * @description Users.
         */
        UsersPublic: {
            /** Count */
            count: number;
            /** Data */
            data: components["schemas"]["UserPublic"][];
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
        /**
         * VapidKeyPublic
         * @description The ``applicationServerKey`` for ``pushManager.subscribe`` (base64url, P-256 point).
         */
        VapidKeyPublic: {
            /** Public Key */
            public_key: string;
        };
        /**
         * WalkForwardCreate
         * @description Walk-forward windows: candles, or durations such as ``90d``, ``72h``, ``12w``.
         */
        WalkForwardCreate: {
            /**
             * Anchored
             * @default false
             */
            anchored: boolean;
            /**
             * Step
             * @description default: the test length
             */
            step?: string | number | null;
            /**
             * Test
             * @example 30d
             */
            test: string | number;
            /**
             * Train
             * @example 180d
             */
            train: string | number;
        };
        /**
         * WebPushDeviceCreate
         * @description Register this browser for Web Push.
         */
        WebPushDeviceCreate: {
            /**
             * Channel
             * @constant
             */
            channel: "webpush";
            /**
             * Label
             * @example Firefox on my laptop
             */
            label?: string | null;
            subscription: components["schemas"]["PushSubscriptionIn"];
        };
        /**
         * WsTicketPublic
         * @description A single-use ticket to open ``/ws`` within ``expires_in`` seconds.
         */
        WsTicketPublic: {
            /** Expires In */
            expires_in: number;
            /** Ticket */
            ticket: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "backtest-list_backtests": {
        parameters: {
            query?: {
                /** @description page size */
                limit?: number;
                /** @description rows to skip */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-launch_backtest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BacktestCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-compare_strategies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BacktestCompareCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-launch_portfolio_backtest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PortfolioBacktestCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-get_backtest": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-delete_backtest": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-rename_backtest": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BacktestRename"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "backtest-get_backtest_result": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestResultPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-list_bots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-get_bot": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-get_bot_pairs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPairsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-set_bot_pairs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BotPairsUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPairsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-pause_bot": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-resume_bot": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-update_bot_settings": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BotSettingsUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-start_bot": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "bots-stop_bot": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bot: components["schemas"]["BotKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-list_candles": {
        parameters: {
            query: {
                /** @description open time at or after */
                start?: string | null;
                /** @description open time before */
                end?: string | null;
                limit?: number;
                pair: string;
                timeframe?: components["schemas"]["Timeframe"];
                exchange?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CandlesPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-get_chart": {
        parameters: {
            query: {
                limit?: number;
                /** @description only this bot's trades */
                bot?: components["schemas"]["BotKind"] | null;
                pair: string;
                timeframe?: components["schemas"]["Timeframe"];
                exchange?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChartPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-get_indicators": {
        parameters: {
            query: {
                pair: string;
                timeframe?: components["schemas"]["Timeframe"];
                exchange?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IndicatorsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-list_market_pairs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PairsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-list_series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SeriesListPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-import_series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_market-import_series"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SeriesImportPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description the file is larger than api.max_upload_bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "market-get_signals": {
        parameters: {
            query: {
                pair: string;
                timeframe?: components["schemas"]["Timeframe"];
                exchange?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignalsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-get_notification_settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationSettingsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-list_notification_deliveries": {
        parameters: {
            query?: {
                /** @description page size */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationDeliveriesPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-list_notification_devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationDevicePublic"][];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-register_notification_device": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebPushDeviceCreate"] | components["schemas"]["ExpoDeviceCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationDevicePublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-delete_notification_device": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                device_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-put_ntfy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NtfyPut"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationSettingsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-delete_ntfy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-update_notification_preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NotificationPreferencesUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationSettingsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-send_test_notification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationTestPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "notifications-get_vapid_public_key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VapidKeyPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "optimize-list_optimizations": {
        parameters: {
            query?: {
                /** @description page size */
                limit?: number;
                /** @description rows to skip */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OptimizationJobsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "optimize-launch_optimization": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OptimizationCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BacktestJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "optimize-get_optimization": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OptimizationJobPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "optimize-apply_optimization": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OptimizationApply"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "optimize-get_optimization_result": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OptimizationResultPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "portfolio-get_portfolio": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortfolioPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "portfolio-list_reallocations": {
        parameters: {
            query?: {
                /** @description page size */
                limit?: number;
                /** @description rows to skip */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReallocationsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "strategies-list_strategies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StrategiesPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "trades-list_trades": {
        parameters: {
            query?: {
                bot?: components["schemas"]["BotKind"] | null;
                status?: components["schemas"]["TradeStatus"] | null;
                pair?: string | null;
                /** @description opened at or after */
                since?: string | null;
                /** @description opened before */
                until?: string | null;
                /** @description closed at or after (open trades excluded) */
                closed_since?: string | null;
                /** @description closed before (open trades excluded) */
                closed_until?: string | null;
                /** @description page size */
                limit?: number;
                /** @description rows to skip */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TradesPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "trades-get_trade": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                trade_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TradeDetailPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-logout_everywhere": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-read_me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-change_password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-list_tokens": {
        parameters: {
            query?: {
                /** @description every user's tokens (admins) */
                everyone?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceTokensPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-create_token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServiceTokenCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceTokenCreated"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-revoke_token": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceTokenPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-list_users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsersPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-create_user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-update_user": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "auth-create_ws_ticket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WsTicketPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-list_exchange_keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeysPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-rotate_exchange_keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RotationPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-put_exchange_key": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                exchange: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApiKeyPut"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-delete_exchange_key": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                exchange: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-get_live_trading": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveTradingPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-switch_live_trading": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LiveTradingUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveTradingPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-get_notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-update_notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NotificationsUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-list_pairs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PairsPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-add_pair": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PairCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PairPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "config-update_pair": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                pair_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PairUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PairPublic"];
                };
            };
            /** @description Bad input (the detail says what and where) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Missing, invalid, expired or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description The role or the token's scopes do not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description No such object, or not one of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Rate limit exceeded (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
            /** @description A backing service is unavailable; retry (see Retry-After) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
    "system-health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthPublic"];
                };
            };
            /** @description the database or Redis does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthPublic"];
                };
            };
        };
    };
    "system-liveness": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LivenessPublic"];
                };
            };
        };
    };
    "system-metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; version=1.0.0; charset=utf-8": unknown;
                };
            };
            /** @description api.metrics_token is set and was not sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorPublic"];
                };
            };
        };
    };
}
