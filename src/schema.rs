// @generated-style Diesel schema, kept in step by hand with BOTH
// migrations/sqlite/ and migrations/postgres/ (same migration names).
// Portable column types only: Text, Timestamp (UTC), Date, Bool, Integer, BigInt, Double.
// ids are UUIDv7 strings; *_json and customer_names / scopes / state hold JSON text;
// enum-like columns are Text guarded by CHECK constraints in the migrations.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        state -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        client_ip -> Text,
        succeeded -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        created_by_user_id -> Text,
        default_privacy_mode -> Text,
        industry -> Nullable<Text>,
        website -> Nullable<Text>,
        customer_names -> Nullable<Text>,
        revenue_amount -> Nullable<BigInt>,
        revenue_currency -> Nullable<Text>,
        revenue_period -> Nullable<Text>,
        employee_count_min -> Nullable<Integer>,
        employee_count_max -> Nullable<Integer>,
        address_street -> Nullable<Text>,
        address_postal_code -> Nullable<Text>,
        address_city -> Nullable<Text>,
        address_country -> Nullable<Text>,
        ai_enrichment_opt_in -> Bool,
        last_enriched_at -> Nullable<Timestamp>,
        last_enrichment_source -> Nullable<Text>,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        fiscal_year_start_month -> Integer,
        time_zone -> Text,
    }
}

diesel::table! {
    org_members (id) {
        id -> Text,
        organization_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    workspaces (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        slug -> Text,
        privacy_mode -> Text,
        created_by_user_id -> Text,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        check_in_cadence -> Text,
        check_in_weekday -> Integer,
        reminder_hour -> Integer,
        escalate_to_manager -> Bool,
    }
}

diesel::table! {
    org_invites (id) {
        id -> Text,
        organization_id -> Text,
        email -> Text,
        normalized_email -> Text,
        invite_token_hash -> Text,
        status -> Text,
        workspace_role -> Text,
        workspace_id -> Nullable<Text>,
        invited_by_user_id -> Text,
        expires_at -> Timestamp,
        accepted_by_user_id -> Nullable<Text>,
        accepted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    workspace_memberships (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        user_id -> Text,
        role -> Text,
        manager_user_id -> Nullable<Text>,
        active -> Bool,
        invited_via_invite_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    okr_items (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        #[sql_name = "type"]
        item_type -> Text,
        title -> Text,
        description -> Nullable<Text>,
        owner_user_id -> Text,
        parent_id -> Nullable<Text>,
        start_date -> Nullable<Date>,
        due_date -> Nullable<Date>,
        action_status -> Nullable<Text>,
        story_points -> Nullable<Text>,
        progress_computed -> Double,
        sort_order -> Integer,
        position_x -> Nullable<Double>,
        position_y -> Nullable<Double>,
        deleted_at -> Nullable<Timestamp>,
        deleted_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        measure -> Text,
        metric_kind -> Nullable<Text>,
        baseline -> Nullable<Text>,
        target -> Nullable<Text>,
        unit -> Nullable<Text>,
        decimals -> Integer,
        weight -> Double,
        current_value -> Nullable<Text>,
        current_done -> Nullable<Bool>,
        last_check_in_on -> Nullable<Date>,
        last_confidence -> Nullable<Integer>,
        cycle_id -> Nullable<Text>,
        outcome -> Nullable<Text>,
        closing_note -> Nullable<Text>,
        carried_over_from_id -> Nullable<Text>,
    }
}

diesel::table! {
    okr_item_assignees (item_id, user_id) {
        item_id -> Text,
        user_id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    account_links (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        new_email -> Nullable<Text>,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    action_skill_tags (item_id, name_key) {
        item_id -> Text,
        name_key -> Text,
        name -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    okr_links (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        from_item_id -> Text,
        to_item_id -> Text,
        link_type -> Text,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    item_activity_log (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Nullable<Text>,
        item_type -> Text,
        item_id -> Text,
        action_type -> Text,
        actor_user_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    scrape_jobs (id) {
        id -> Text,
        organization_id -> Text,
        requested_by_user_id -> Text,
        source_url -> Text,
        status -> Text,
        input_json -> Nullable<Text>,
        prefill_json -> Nullable<Text>,
        error_message -> Nullable<Text>,
        function_execution_id -> Nullable<Text>,
        model_used -> Nullable<Text>,
        provider -> Nullable<Text>,
        prompt_version -> Nullable<Text>,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        requested_by_user_id -> Text,
        #[sql_name = "type"]
        report_type -> Text,
        status -> Text,
        input_snapshot_json -> Nullable<Text>,
        output_markdown -> Nullable<Text>,
        output_json -> Nullable<Text>,
        error_message -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cycle_id -> Nullable<Text>,
        model_used -> Nullable<Text>,
        provider -> Nullable<Text>,
        prompt_version -> Nullable<Text>,
        llm_request_json -> Nullable<Text>,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    member_skills (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        user_id -> Text,
        can_json -> Nullable<Text>,
        should_json -> Nullable<Text>,
        want_json -> Nullable<Text>,
        constraints_json -> Nullable<Text>,
        updated_by_user_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    pat (id) {
        id -> Text,
        user_id -> Text,
        pat_hash -> Text,
        scopes -> Text,
        description -> Text,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Text,
        organization_id -> Nullable<Text>,
        invite_id -> Nullable<Text>,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        check_in_link_id -> Nullable<Text>,
        account_link_id -> Nullable<Text>,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        item_id -> Text,
        author_user_id -> Text,
        effective_on -> Date,
        value -> Nullable<Text>,
        done -> Nullable<Bool>,
        confidence -> Integer,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        deleted_by_user_id -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload_json -> Text,
        dedupe_key -> Nullable<Text>,
        run_at -> Timestamp,
        state -> Text,
        attempts -> Integer,
        max_attempts -> Integer,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        result_json -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        item_id -> Text,
        author_user_id -> Text,
        body -> Text,
        mentioned_user_ids -> Text,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Text,
        workspace_id -> Nullable<Text>,
        item_id -> Nullable<Text>,
        comment_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        kind -> Text,
        read_at -> Nullable<Timestamp>,
        emailed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notification_preferences (user_id) {
        user_id -> Text,
        email_mentioned -> Bool,
        email_assigned -> Bool,
        email_comment -> Bool,
        email_check_in -> Bool,
        email_invite_accepted -> Bool,
        email_delivery -> Text,
        digest_hour -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    check_in_links (id) {
        id -> Text,
        token_hash -> Nullable<Text>,
        user_id -> Text,
        workspace_id -> Text,
        item_ids_json -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    check_in_reminders (id) {
        id -> Text,
        workspace_id -> Text,
        item_id -> Text,
        owner_user_id -> Text,
        reminded_at -> Timestamp,
        escalated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(organizations -> users (created_by_user_id));
diesel::joinable!(org_members -> organizations (organization_id));
diesel::joinable!(org_members -> users (user_id));
diesel::joinable!(workspaces -> organizations (organization_id));
diesel::joinable!(workspaces -> users (created_by_user_id));
diesel::joinable!(org_invites -> organizations (organization_id));
diesel::joinable!(org_invites -> workspaces (workspace_id));
diesel::joinable!(workspace_memberships -> organizations (organization_id));
diesel::joinable!(workspace_memberships -> workspaces (workspace_id));
diesel::joinable!(workspace_memberships -> org_invites (invited_via_invite_id));
diesel::joinable!(okr_items -> organizations (organization_id));
diesel::joinable!(okr_items -> workspaces (workspace_id));
diesel::joinable!(okr_item_assignees -> okr_items (item_id));
diesel::joinable!(okr_item_assignees -> users (user_id));
diesel::joinable!(okr_item_assignees -> organizations (organization_id));
diesel::joinable!(okr_item_assignees -> workspaces (workspace_id));
diesel::joinable!(okr_links -> organizations (organization_id));
diesel::joinable!(okr_links -> workspaces (workspace_id));
diesel::joinable!(item_activity_log -> organizations (organization_id));
diesel::joinable!(item_activity_log -> workspaces (workspace_id));
diesel::joinable!(item_activity_log -> users (actor_user_id));
diesel::joinable!(scrape_jobs -> organizations (organization_id));
diesel::joinable!(scrape_jobs -> users (requested_by_user_id));
diesel::joinable!(reports -> organizations (organization_id));
diesel::joinable!(reports -> workspaces (workspace_id));
diesel::joinable!(reports -> users (requested_by_user_id));
diesel::joinable!(reports -> cycles (cycle_id));
diesel::joinable!(member_skills -> organizations (organization_id));
diesel::joinable!(member_skills -> workspaces (workspace_id));
diesel::joinable!(pat -> users (user_id));
diesel::joinable!(action_skill_tags -> okr_items (item_id));
diesel::joinable!(account_links -> users (user_id));
diesel::joinable!(check_ins -> okr_items (item_id));
diesel::joinable!(check_ins -> workspaces (workspace_id));
diesel::joinable!(check_ins -> organizations (organization_id));
diesel::table! {
    cycles (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        start_date -> Date,
        end_date -> Date,
        state -> Text,
        created_by_user_id -> Text,
        closed_at -> Nullable<Timestamp>,
        closed_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(cycles -> organizations (organization_id));
diesel::joinable!(okr_items -> cycles (cycle_id));
diesel::joinable!(email_outbox -> organizations (organization_id));
diesel::joinable!(email_outbox -> org_invites (invite_id));

diesel::joinable!(comments -> okr_items (item_id));
diesel::joinable!(comments -> users (author_user_id));
diesel::joinable!(notifications -> okr_items (item_id));
diesel::joinable!(notification_preferences -> users (user_id));

diesel::table! {
    webhooks (id) {
        id -> Text,
        organization_id -> Text,
        workspace_id -> Text,
        url -> Text,
        events_json -> Text,
        secret -> Text,
        created_by_user_id -> Text,
        consecutive_failures -> Integer,
        disabled_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event -> Text,
        payload_json -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        response_status -> Nullable<Integer>,
        duration_ms -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_rate_windows (token_id, window_start) {
        token_id -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    webhooks,
    webhook_deliveries,
    api_rate_windows,
    jobs,
    comments,
    notifications,
    notification_preferences,
    check_in_links,
    check_in_reminders,
    users,
    sessions,
    login_attempts,
    organizations,
    org_members,
    workspaces,
    org_invites,
    workspace_memberships,
    okr_items,
    okr_item_assignees,
    okr_links,
    item_activity_log,
    scrape_jobs,
    reports,
    member_skills,
    action_skill_tags,
    account_links,
    pat,
    email_outbox,
    check_ins,
    cycles,
);
