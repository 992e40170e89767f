// GENERATED from docs/asyncapi.json by scripts/gen-api.mjs (npm run gen). Do not edit.

export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * AlertRaised
         * @description Something people must hear about (``alerts``); ``kind`` says what, ``text`` says it.
         */
        AlertRaised: {
            /** @default null */
            bot: components["schemas"]["BotKind"] | null;
            /** Details */
            details: {
                [key: string]: string;
            };
            /** Kind */
            kind: string;
            /** Message Id */
            message_id: string;
            /** @default null */
            pair: string | null;
            /**
             * Potential Gain
             * @default null
             */
            potential_gain: string | null;
            /**
             * Price
             * @default null
             */
            price: string | null;
            /**
             * Risk
             * @default null
             */
            risk: string | null;
            /**
             * Rr Ratio
             * @default null
             */
            rr_ratio: string | null;
            /**
             * Severity
             * @default info
             * @enum {string}
             */
            severity: "info" | "warning" | "critical";
            /** @default null */
            side: components["schemas"]["Side"] | null;
            /** Text */
            text: string;
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * Type
             * @default alert_raised
             * @constant
             */
            type: "alert_raised";
        };
        /**
         * AlertsEvent
         * @description Things people must hear about (``alerts``): trades opened and closed, risk, failures.
         */
        AlertsEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            data: components["schemas"]["AlertRaised"];
            /**
             * Topic
             * @default alerts
             * @constant
             */
            topic: "alerts";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * AuthFrame
         * @description The first frame when the handshake had no ``Authorization`` header (within 10 s).
         */
        AuthFrame: {
            /**
             * Ticket
             * @description a single-use ticket from POST /auth/ws-ticket (30 s)
             * @default null
             */
            ticket: string | null;
            /**
             * Token
             * @description an access token or a service token
             * @default null
             */
            token: string | null;
            /**
             * Type
             * @default auth
             * @constant
             */
            type: "auth";
        };
        /**
         * BacktestProgress
         * @description Where a backtest job stands (``backtests``); only its owner's sockets get it.
         *
         *     ``candles_done`` counts the candles simulated so far, over every strategy of a comparison
         *     (``candles_total`` = candles x strategies).
         */
        BacktestProgress: {
            /** Candles Done */
            candles_done: number;
            /** Candles Total */
            candles_total: number;
            /** Job Id */
            job_id: number;
            /** Message Id */
            message_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed";
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * Type
             * @default backtest_progress
             * @constant
             */
            type: "backtest_progress";
            /** User Id */
            user_id: number;
        };
        /**
         * BacktestsEvent
         * @description Progress of your backtest jobs (``backtests``): candles simulated of the total.
         */
        BacktestsEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            data: components["schemas"]["BacktestProgress"];
            /**
             * Topic
             * @default backtests
             * @constant
             */
            topic: "backtests";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * Bias
         * @description Direction an indicator points to.
         * @enum {string}
         */
        Bias: "bullish" | "bearish" | "neutral";
        /**
         * BotDecisions
         * @description One bot's decision on each candle of a run: 1 buy, -1 sell, 0 hold.
         */
        BotDecisions: {
            /** Actions */
            actions: number[];
            /** Confidence */
            confidence: number[];
            /**
             * Contributions
             * @description by row index, for the rows that buy and the run's last row
             */
            contributions: {
                [key: string]: {
                    [key: string]: number;
                };
            };
            /** Score */
            score: number[];
            /** Strategy */
            strategy: string;
        };
        /**
         * BotKind
         * @description The two bots of the portfolio.
         * @enum {string}
         */
        BotKind: "safe" | "aggressive";
        /**
         * BotStatusEvent
         * @description Bot controls (``bot_status``): start, stop, pause, resume.
         */
        BotStatusEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            data: components["schemas"]["ControlBot"];
            /**
             * Topic
             * @default bot_status
             * @constant
             */
            topic: "bot_status";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * CandleClosed
         * @description A candle closed on an exchange (``candles``).
         */
        CandleClosed: {
            /** Close */
            close: string;
            /** Exchange */
            exchange: string;
            /** High */
            high: string;
            /** Low */
            low: string;
            /** Message Id */
            message_id: string;
            /** Open */
            open: string;
            /**
             * Open Time
             * Format: date-time
             */
            open_time: string;
            pair: string;
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "candle_closed";
            /** Volume */
            volume: string;
        };
        /**
         * CandleRun
         * @description Consecutive closed candles of one series as columns (open times in epoch ms).
         */
        CandleRun: {
            /** Close */
            close: number[];
            /** High */
            high: number[];
            /** Low */
            low: number[];
            /** Open */
            open: number[];
            /** Open Times */
            open_times: number[];
            /** Volume */
            volume: number[];
        };
        /**
         * CandlesClosed
         * @description Candles closed (``candles``); ``previous_open_ms`` chains runs (None: a series starts).
         */
        CandlesClosed: {
            /**
             * Batch
             * @description several pairs: the symbols whose runs cover the same candle times and are traded together (sorted), joined by commas; empty for one pair (a JSON list of them, the format before 2026-12-05, is still read)
             */
            batch: string;
            /**
             * Batch Ms
             * @description several pairs: the first candle time of the batch
             * @default null
             */
            batch_ms: number | null;
            candles: components["schemas"]["CandleRun"];
            /**
             * Exchange
             * @description where the candles come from (binance, replay, demo)
             */
            exchange: string;
            /**
             * Final
             * @description a replay ends with this run
             * @default false
             */
            final: boolean;
            /**
             * History From Ms
             * @description where the series' stored history starts
             * @default null
             */
            history_from_ms: number | null;
            /** Message Id */
            message_id: string;
            /**
             * Next Open
             * @description the next candle's open
             * @default null
             */
            next_open: number | null;
            /**
             * Next Open Ms
             * @default null
             */
            next_open_ms: number | null;
            pair: string;
            /**
             * Pass Ms
             * @description when the market data began publishing this pass of the series (epoch ms): a pass begins at its start and again when it publishes from the order engine's checkpoint (runs in flight lost); a worker computes a run of a later pass again
             * @default 0
             */
            pass_ms: number;
            /**
             * Previous Open Ms
             * @description the candle the run follows (None: a series starts, or not known): the order engine acts on no run that follows a candle it has not done
             * @default null
             */
            previous_open_ms: number | null;
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "candles_closed";
        };
        /**
         * CapitalReallocated
         * @description Part of a winning trade's profit moved between bots (``rebalance``).
         */
        CapitalReallocated: {
            /** Amount */
            amount: string;
            from_bot: components["schemas"]["BotKind"];
            /** Message Id */
            message_id: string;
            /**
             * @description the market of the trigger trade
             * @default null
             */
            pair: string | null;
            /** Profit */
            profit: string;
            /** Ratio */
            ratio: string;
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            to_bot: components["schemas"]["BotKind"];
            /**
             * Trigger Trade Id
             * @default null
             */
            trigger_trade_id: number | null;
            /**
             * Type
             * @default capital_reallocated
             * @constant
             */
            type: "capital_reallocated";
        };
        /**
         * ControlBot
         * @description Start, stop, pause or resume a bot (``commands``).
         */
        ControlBot: {
            /**
             * Action
             * @enum {string}
             */
            action: "start" | "stop" | "pause" | "resume";
            bot: components["schemas"]["BotKind"];
            /** Message Id */
            message_id: string;
            /** Requested By */
            requested_by: string;
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * Type
             * @default control_bot
             * @constant
             */
            type: "control_bot";
        };
        /**
         * DecisionsMade
         * @description Both bots' decisions over a run of candles, with the candles (``signals``).
         */
        DecisionsMade: {
            /**
             * Batch
             * @description several pairs: the symbols whose runs cover the same candle times and are traded together (sorted), joined by commas; empty for one pair (a JSON list of them, the format before 2026-12-05, is still read)
             */
            batch: string;
            /**
             * Batch Ms
             * @description several pairs: the first candle time of the batch
             * @default null
             */
            batch_ms: number | null;
            /** Bots */
            bots: {
                [key: string]: components["schemas"]["BotDecisions"];
            };
            candles: components["schemas"]["CandleRun"];
            /**
             * Exchange
             * @description where the candles come from (binance, replay, demo)
             */
            exchange: string;
            /**
             * Final
             * @description a replay ends with this run
             * @default false
             */
            final: boolean;
            /** Message Id */
            message_id: string;
            /**
             * Next Open
             * @description the next candle's open
             * @default null
             */
            next_open: number | null;
            /**
             * Next Open Ms
             * @default null
             */
            next_open_ms: number | null;
            pair: string;
            /**
             * Pass Ms
             * @description when the market data began publishing this pass of the series (epoch ms): a pass begins at its start and again when it publishes from the order engine's checkpoint (runs in flight lost); a worker computes a run of a later pass again
             * @default 0
             */
            pass_ms: number;
            /**
             * Previous Open Ms
             * @description the candle the run follows (None: a series starts, or not known): the order engine acts on no run that follows a candle it has not done
             * @default null
             */
            previous_open_ms: number | null;
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "decisions_made";
        };
        /**
         * ErrorFrame
         * @description A frame the server could not accept; the socket stays open.
         */
        ErrorFrame: {
            /** Detail */
            detail: string;
            /**
             * Type
             * @default error
             * @constant
             */
            type: "error";
        };
        /**
         * IndicatorReading
         * @description One indicator's reading inside ``IndicatorsComputed`` and ``SignalGenerated``.
         */
        IndicatorReading: {
            /** Label */
            label: string;
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
         * IndicatorsComputed
         * @description Every indicator's reading of one closed candle (``indicators``).
         */
        IndicatorsComputed: {
            /**
             * Candle Time
             * Format: date-time
             */
            candle_time: string;
            /** Indicators */
            indicators: {
                [key: string]: components["schemas"]["IndicatorReading"];
            };
            /** Message Id */
            message_id: string;
            pair: string;
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "indicators_computed";
        };
        /**
         * IndicatorsEvent
         * @description Indicator readings (``indicators``).
         */
        IndicatorsEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            /** Data */
            data: components["schemas"]["IndicatorsComputed"] | components["schemas"]["StrategyInputsComputed"];
            /**
             * Topic
             * @default indicators
             * @constant
             */
            topic: "indicators";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * OptimizationProgress
         * @description Where an optimisation job stands (``optimizations``); only its owner's sockets get it.
         */
        OptimizationProgress: {
            /**
             * Best Value
             * @default null
             */
            best_value: number | null;
            /** Job Id */
            job_id: number;
            /** Message Id */
            message_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed";
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /** Trials Done */
            trials_done: number;
            /** Trials Total */
            trials_total: number;
            /**
             * Type
             * @default optimization_progress
             * @constant
             */
            type: "optimization_progress";
            /** User Id */
            user_id: number;
            /**
             * Window
             * @description walk-forward window (1-based)
             * @default null
             */
            window: number | null;
            /**
             * Windows
             * @default null
             */
            windows: number | null;
        };
        /**
         * OptimizationsEvent
         * @description Progress of your optimisation jobs (``optimizations``): trials done, best value so far.
         */
        OptimizationsEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            data: components["schemas"]["OptimizationProgress"];
            /**
             * Topic
             * @default optimizations
             * @constant
             */
            topic: "optimizations";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * OrderStatus
         * @description Lifecycle of an order, from our database record to its end on the exchange.
         * @enum {string}
         */
        OrderStatus: "pending" | "open" | "partially_filled" | "filled" | "canceled" | "rejected" | "expired";
        /**
         * OrderType
         * @description How an order is priced on the exchange.
         * @enum {string}
         */
        OrderType: "market" | "limit" | "stop_loss" | "stop_loss_limit" | "take_profit" | "take_profit_limit";
        /**
         * OrderUpdated
         * @description An order was created or changed state on the exchange (``orders``).
         */
        OrderUpdated: {
            /**
             * Average Fill Price
             * @default null
             */
            average_fill_price: string | null;
            bot: components["schemas"]["BotKind"];
            /** Client Order Id */
            client_order_id: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Exchange Order Id
             * @default null
             */
            exchange_order_id: string | null;
            /** Fee */
            fee: string;
            /** Filled Quantity */
            filled_quantity: string;
            /** Message Id */
            message_id: string;
            order_type: components["schemas"]["OrderType"];
            pair: string;
            /**
             * Price
             * @default null
             */
            price: string | null;
            /** Quantity */
            quantity: string;
            side: components["schemas"]["Side"];
            status: components["schemas"]["OrderStatus"];
            /**
             * Stop Loss
             * @default null
             */
            stop_loss: string | null;
            /**
             * Take Profit
             * @default null
             */
            take_profit: string | null;
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * Type
             * @default order_updated
             * @constant
             */
            type: "order_updated";
        };
        /**
         * PingFrame
         * @description Ask for a ``pong`` (keep-alive, latency).
         */
        PingFrame: {
            /**
             * Type
             * @default ping
             * @constant
             */
            type: "ping";
        };
        /**
         * PongFrame
         * @description The answer to ``ping``.
         */
        PongFrame: {
            /**
             * Type
             * @default pong
             * @constant
             */
            type: "pong";
        };
        /**
         * PortfolioEvent
         * @description Capital reallocated between the bots (``portfolio``).
         */
        PortfolioEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            data: components["schemas"]["CapitalReallocated"];
            /**
             * Topic
             * @default portfolio
             * @constant
             */
            topic: "portfolio";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * PricesEvent
         * @description Closed candles (``prices``): one candle, or a run of them when catching up.
         */
        PricesEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            /** Data */
            data: components["schemas"]["CandleClosed"] | components["schemas"]["CandlesClosed"];
            /**
             * Topic
             * @default prices
             * @constant
             */
            topic: "prices";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * ReplayedFrame
         * @description Sent after the events replayed for a ``resume``: live events follow.
         *
         *     ``gap`` is True when events after the cursor were no longer retained (some were missed).
         */
        ReplayedFrame: {
            /** Count */
            count: number;
            /**
             * Cursor
             * @description the last replayed event's cursor (None if none)
             */
            cursor: string | null;
            /** Gap */
            gap: boolean;
            /**
             * Topic
             * @enum {string}
             */
            topic: "prices" | "indicators" | "signals" | "trades" | "alerts" | "bot_status" | "portfolio" | "optimizations" | "backtests";
            /**
             * Type
             * @default replayed
             * @constant
             */
            type: "replayed";
        };
        /**
         * RuleInputs
         * @description One strategy's rule inputs over a run, with ``lead`` earlier rows its lookback reads.
         */
        RuleInputs: {
            /** Context */
            context: {
                [key: string]: (number | null)[];
            };
            /** Lead */
            lead: number;
            /**
             * Params
             * @description the strategy's parameters (the decision rule's too)
             */
            params: {
                [key: string]: unknown;
            };
            /** Series */
            series: {
                [key: string]: (number | null)[];
            };
            /** Strategy */
            strategy: string;
            /** Strengths */
            strengths: {
                [key: string]: (number | null)[];
            };
            /** Weights */
            weights: {
                [key: string]: number;
            };
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
         * SignalGenerated
         * @description The decision engine's verdict for one pair and one bot (``signals``).
         */
        SignalGenerated: {
            action: components["schemas"]["SignalAction"];
            /** Confidence */
            confidence: number;
            /** Contributions */
            contributions: {
                [key: string]: number;
            };
            /** Indicators */
            indicators: {
                [key: string]: components["schemas"]["IndicatorReading"];
            };
            /** Message Id */
            message_id: string;
            pair: string;
            /** Score */
            score: number;
            /** Strategy */
            strategy: string;
            target_bot: components["schemas"]["BotKind"];
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "signal_generated";
        };
        /**
         * SignalsEvent
         * @description Trading signals and decisions (``signals``).
         */
        SignalsEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            /** Data */
            data: components["schemas"]["SignalGenerated"] | components["schemas"]["DecisionsMade"];
            /**
             * Topic
             * @default signals
             * @constant
             */
            topic: "signals";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * StrategyInputsComputed
         * @description Each bot's strategy inputs over a run of candles (``indicators``).
         */
        StrategyInputsComputed: {
            /**
             * Batch
             * @description several pairs: the symbols whose runs cover the same candle times and are traded together (sorted), joined by commas; empty for one pair (a JSON list of them, the format before 2026-12-05, is still read)
             */
            batch: string;
            /**
             * Batch Ms
             * @description several pairs: the first candle time of the batch
             * @default null
             */
            batch_ms: number | null;
            candles: components["schemas"]["CandleRun"];
            /**
             * Exchange
             * @description where the candles come from (binance, replay, demo)
             */
            exchange: string;
            /**
             * Final
             * @description a replay ends with this run
             * @default false
             */
            final: boolean;
            /** Inputs */
            inputs: {
                [key: string]: components["schemas"]["RuleInputs"];
            };
            /** Message Id */
            message_id: string;
            /**
             * Next Open
             * @description the next candle's open
             * @default null
             */
            next_open: number | null;
            /**
             * Next Open Ms
             * @default null
             */
            next_open_ms: number | null;
            pair: string;
            /**
             * Pass Ms
             * @description when the market data began publishing this pass of the series (epoch ms): a pass begins at its start and again when it publishes from the order engine's checkpoint (runs in flight lost); a worker computes a run of a later pass again
             * @default 0
             */
            pass_ms: number;
            /**
             * Previous Open Ms
             * @description the candle the run follows (None: a series starts, or not known): the order engine acts on no run that follows a candle it has not done
             * @default null
             */
            previous_open_ms: number | null;
            timeframe: components["schemas"]["Timeframe"];
            /**
             * Timestamp
             * Format: date-time
             */
            timestamp: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "strategy_inputs_computed";
        };
        /**
         * SubscribeFrame
         * @description Start receiving the events of these topics.
         *
         *     With ``resume`` (topic -> the ``cursor`` of the last event the client handled), the server
         *     first sends the retained events of that topic published after the cursor, oldest first,
         *     then a ``replayed`` frame, then live events: a client that reconnects misses nothing and
         *     receives nothing twice, as long as its cursor is still retained.
         */
        SubscribeFrame: {
            /**
             * Resume
             * @default null
             */
            resume: {
                [key: string]: string;
            } | null;
            /** Topics */
            topics: ("prices" | "indicators" | "signals" | "trades" | "alerts" | "bot_status" | "portfolio" | "optimizations" | "backtests")[];
            /**
             * Type
             * @default subscribe
             * @constant
             */
            type: "subscribe";
        };
        /**
         * SubscribedFrame
         * @description The socket's topics after a ``subscribe`` or ``unsubscribe``.
         */
        SubscribedFrame: {
            /** Topics */
            topics: ("prices" | "indicators" | "signals" | "trades" | "alerts" | "bot_status" | "portfolio" | "optimizations" | "backtests")[];
            /**
             * Type
             * @default subscribed
             * @constant
             */
            type: "subscribed";
        };
        /**
         * Timeframe
         * @description A candle duration, spelled as exchanges and ccxt spell it (``1m`` ... ``1M``).
         * @enum {string}
         */
        Timeframe: "1m" | "5m" | "15m" | "30m" | "1h" | "4h" | "1d" | "1w" | "1M";
        /**
         * TradesEvent
         * @description Order updates (``trades``): submitted, filled, canceled, protection placed.
         */
        TradesEvent: {
            /**
             * Cursor
             * @description send it back in ``subscribe.resume`` to catch up
             * @example 1733312345678-0
             */
            cursor: string;
            data: components["schemas"]["OrderUpdated"];
            /**
             * Topic
             * @default trades
             * @constant
             */
            topic: "trades";
            /**
             * Type
             * @default event
             * @constant
             */
            type: "event";
        };
        /**
         * UnsubscribeFrame
         * @description Stop receiving the events of these topics.
         */
        UnsubscribeFrame: {
            /** Topics */
            topics: ("prices" | "indicators" | "signals" | "trades" | "alerts" | "bot_status" | "portfolio" | "optimizations" | "backtests")[];
            /**
             * Type
             * @default unsubscribe
             * @constant
             */
            type: "unsubscribe";
        };
        /**
         * WelcomeFrame
         * @description Sent once authenticated: who the socket belongs to and the topics it may subscribe to.
         */
        WelcomeFrame: {
            /** Topics */
            topics: ("prices" | "indicators" | "signals" | "trades" | "alerts" | "bot_status" | "portfolio" | "optimizations" | "backtests")[];
            /**
             * Type
             * @default welcome
             * @constant
             */
            type: "welcome";
            /** User */
            user: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

export type AlertRaised = components['schemas']['AlertRaised'];
export type AlertsEvent = components['schemas']['AlertsEvent'];
export type AuthFrame = components['schemas']['AuthFrame'];
export type BacktestProgress = components['schemas']['BacktestProgress'];
export type BacktestsEvent = components['schemas']['BacktestsEvent'];
export type Bias = components['schemas']['Bias'];
export type BotDecisions = components['schemas']['BotDecisions'];
export type BotKind = components['schemas']['BotKind'];
export type BotStatusEvent = components['schemas']['BotStatusEvent'];
export type CandleClosed = components['schemas']['CandleClosed'];
export type CandleRun = components['schemas']['CandleRun'];
export type CandlesClosed = components['schemas']['CandlesClosed'];
export type CapitalReallocated = components['schemas']['CapitalReallocated'];
export type ControlBot = components['schemas']['ControlBot'];
export type DecisionsMade = components['schemas']['DecisionsMade'];
export type ErrorFrame = components['schemas']['ErrorFrame'];
export type IndicatorReading = components['schemas']['IndicatorReading'];
export type IndicatorsComputed = components['schemas']['IndicatorsComputed'];
export type IndicatorsEvent = components['schemas']['IndicatorsEvent'];
export type OptimizationProgress = components['schemas']['OptimizationProgress'];
export type OptimizationsEvent = components['schemas']['OptimizationsEvent'];
export type OrderStatus = components['schemas']['OrderStatus'];
export type OrderType = components['schemas']['OrderType'];
export type OrderUpdated = components['schemas']['OrderUpdated'];
export type PingFrame = components['schemas']['PingFrame'];
export type PongFrame = components['schemas']['PongFrame'];
export type PortfolioEvent = components['schemas']['PortfolioEvent'];
export type PricesEvent = components['schemas']['PricesEvent'];
export type ReplayedFrame = components['schemas']['ReplayedFrame'];
export type RuleInputs = components['schemas']['RuleInputs'];
export type Side = components['schemas']['Side'];
export type SignalAction = components['schemas']['SignalAction'];
export type SignalGenerated = components['schemas']['SignalGenerated'];
export type SignalsEvent = components['schemas']['SignalsEvent'];
export type StrategyInputsComputed = components['schemas']['StrategyInputsComputed'];
export type SubscribeFrame = components['schemas']['SubscribeFrame'];
export type SubscribedFrame = components['schemas']['SubscribedFrame'];
export type Timeframe = components['schemas']['Timeframe'];
export type TradesEvent = components['schemas']['TradesEvent'];
export type UnsubscribeFrame = components['schemas']['UnsubscribeFrame'];
export type WelcomeFrame = components['schemas']['WelcomeFrame'];
