/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-policy.c's table: (state, event) -> the first plan and the state it
 * promises, then the state once the manager's timers fired and miimon
 * caught up; the comments show the plans in between. Rows in order of
 * Start, then Event. HNV_POLICY_PRINT=1 test-policy prints what the policy
 * gives, for review against this table. */
static const Row rows[] = {
        {S_PENDING, E_NONE, "", P, P},
        {S_PENDING, E_VF_ADD, "create-bond enslave:vf bond-up set-primary:vf set-active:vf", H, H},
        {S_PENDING, E_VF_REMOVE, "", P, P},
        {S_PENDING, E_VF_CARRIER_LOSS, "", P, P},
        {S_PENDING, E_VF_CARRIER_BACK, "", P, P},
        {S_PENDING, E_BK_ADD, "create-bond enslave:bk bond-up set-active:bk", D, D},
        {S_PENDING, E_BK_REMOVE, "", P, P},
        {S_PENDING, E_BK_CARRIER_LOSS, "", P, P},
        {S_PENDING, E_VF_ADD_WITH_IP,
         "create-bond move-addresses:vf enslave:vf bond-up set-primary:vf set-active:vf", H, H},
        {S_PENDING, E_MIGRATE_END, "", P, P},
        {S_PENDING, E_PREPARE, "", P, P},
        {S_PENDING, E_NOTIFIED, "", P, P},
        {S_PENDING, E_SETTLED, "", P, P},
        {S_PENDING, E_EXCLUDE_BK, "", P, P},
        {S_PENDING, E_BK2_ADD, "create-bond enslave:bk2 bond-up set-active:bk2", D, D},
        {S_PENDING, E_DISSOLVE, "", P, P},
        {S_PENDING, E_FAILED, "", P, P},
        {S_HEALTHY, E_NONE, "", H, H},
        {S_HEALTHY, E_VF_ADD, "", H, H},
        {S_HEALTHY, E_VF_REMOVE, "", D, D},
        {S_HEALTHY, E_VF_CARRIER_LOSS, "set-active:bk", D, D},
        {S_HEALTHY, E_VF_CARRIER_BACK, "", H, H},
        {S_HEALTHY, E_BK_ADD, "", H, H},
        {S_HEALTHY, E_BK_REMOVE, "", H, H},
        {S_HEALTHY, E_BK_CARRIER_LOSS, "", H, H},
        {S_HEALTHY, E_VF_ADD_WITH_IP, "", H, H},
        {S_HEALTHY, E_MIGRATE_END, "", H, H},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_HEALTHY, E_PREPARE, "all-ports-active:on take-bond-mac:bk set-active:bk (wait)", M, M},
        {S_HEALTHY, E_NOTIFIED, "", H, H},
        {S_HEALTHY, E_SETTLED, "", H, H},
        {S_HEALTHY, E_EXCLUDE_BK, "release:bk", H, H},
        {S_HEALTHY, E_BK2_ADD, "enslave:bk2", H, H},
        {S_HEALTHY, E_DISSOLVE, "dissolve:bk", P, P},
        {S_HEALTHY, E_FAILED, "", H, H},
        {S_DEGRADED_MISSING, E_NONE, "", D, D},
        /*   then "all-ports-active:off own-mac:bk" -> healthy */
        {S_DEGRADED_MISSING, E_VF_ADD,
         "all-ports-active:on enslave:vf set-primary:vf set-active:vf (settle)", H, H},
        {S_DEGRADED_MISSING, E_VF_REMOVE, "", D, D},
        {S_DEGRADED_MISSING, E_VF_CARRIER_LOSS, "", D, D},
        {S_DEGRADED_MISSING, E_VF_CARRIER_BACK, "", D, D},
        {S_DEGRADED_MISSING, E_BK_ADD, "", D, D},
        {S_DEGRADED_MISSING, E_BK_REMOVE, "", X, X},
        {S_DEGRADED_MISSING, E_BK_CARRIER_LOSS, "", X, X},
        /*   then "all-ports-active:off own-mac:bk" -> healthy */
        {S_DEGRADED_MISSING, E_VF_ADD_WITH_IP,
         "all-ports-active:on move-addresses:vf enslave:vf set-primary:vf set-active:vf (settle)", H, H},
        {S_DEGRADED_MISSING, E_MIGRATE_END, "", D, D},
        {S_DEGRADED_MISSING, E_PREPARE, "", M, M},
        {S_DEGRADED_MISSING, E_NOTIFIED, "", D, D},
        {S_DEGRADED_MISSING, E_SETTLED, "", D, D},
        {S_DEGRADED_MISSING, E_EXCLUDE_BK, "release:bk", X, X},
        {S_DEGRADED_MISSING, E_BK2_ADD, "enslave:bk2", D, D},
        {S_DEGRADED_MISSING, E_DISSOLVE, "dissolve:bk", P, P},
        {S_DEGRADED_MISSING, E_FAILED, "", D, D},
        {S_DEGRADED_NOCARRIER, E_NONE, "", D, D},
        {S_DEGRADED_NOCARRIER, E_VF_ADD, "", D, D},
        {S_DEGRADED_NOCARRIER, E_VF_REMOVE, "", D, D},
        {S_DEGRADED_NOCARRIER, E_VF_CARRIER_LOSS, "", D, D},
        {S_DEGRADED_NOCARRIER, E_VF_CARRIER_BACK, "", H, H},
        {S_DEGRADED_NOCARRIER, E_BK_ADD, "", D, D},
        {S_DEGRADED_NOCARRIER, E_BK_REMOVE, "", X, X},
        {S_DEGRADED_NOCARRIER, E_BK_CARRIER_LOSS, "", X, X},
        {S_DEGRADED_NOCARRIER, E_VF_ADD_WITH_IP, "", D, D},
        {S_DEGRADED_NOCARRIER, E_MIGRATE_END, "", D, D},
        {S_DEGRADED_NOCARRIER, E_PREPARE, "release:vf", M, M},
        {S_DEGRADED_NOCARRIER, E_NOTIFIED, "", D, D},
        {S_DEGRADED_NOCARRIER, E_SETTLED, "", D, D},
        {S_DEGRADED_NOCARRIER, E_EXCLUDE_BK, "release:bk", X, X},
        {S_DEGRADED_NOCARRIER, E_BK2_ADD, "enslave:bk2", D, D},
        {S_DEGRADED_NOCARRIER, E_DISSOLVE, "dissolve:bk", P, P},
        {S_DEGRADED_NOCARRIER, E_FAILED, "", D, D},
        {S_DOWN, E_NONE, "", X, X},
        {S_DOWN, E_VF_ADD, "", X, X},
        {S_DOWN, E_VF_REMOVE, "", X, X},
        {S_DOWN, E_VF_CARRIER_LOSS, "", X, X},
        {S_DOWN, E_VF_CARRIER_BACK, "", H, H},
        {S_DOWN, E_BK_ADD, "", X, X},
        {S_DOWN, E_BK_REMOVE, "", X, X},
        {S_DOWN, E_BK_CARRIER_LOSS, "", X, X},
        {S_DOWN, E_VF_ADD_WITH_IP, "", X, X},
        {S_DOWN, E_MIGRATE_END, "", X, X},
        {S_DOWN, E_PREPARE, "", X, X},
        {S_DOWN, E_NOTIFIED, "", X, X},
        {S_DOWN, E_SETTLED, "", X, X},
        {S_DOWN, E_EXCLUDE_BK, "release:bk", X, X},
        {S_DOWN, E_BK2_ADD, "enslave:bk2 set-active:bk2", D, D},
        {S_DOWN, E_DISSOLVE, "dissolve:bk", P, P},
        {S_DOWN, E_FAILED, "", X, X},
        {S_MIGRATING, E_NONE, "", M, M},
        {S_MIGRATING, E_VF_ADD, "", M, M},
        {S_MIGRATING, E_VF_REMOVE, "", M, M},
        {S_MIGRATING, E_VF_CARRIER_LOSS, "", M, M},
        {S_MIGRATING, E_VF_CARRIER_BACK, "", M, M},
        {S_MIGRATING, E_BK_ADD, "", M, M},
        {S_MIGRATING, E_BK_REMOVE, "", M, M},
        {S_MIGRATING, E_BK_CARRIER_LOSS, "", M, M},
        {S_MIGRATING, E_VF_ADD_WITH_IP, "", M, M},
        /*   then "all-ports-active:off" -> healthy */
        {S_MIGRATING, E_MIGRATE_END, "all-ports-active:on enslave:vf set-primary:vf set-active:vf (settle)",
         H, H},
        {S_MIGRATING, E_PREPARE, "", M, M},
        {S_MIGRATING, E_NOTIFIED, "", M, M},
        {S_MIGRATING, E_SETTLED, "", M, M},
        {S_MIGRATING, E_EXCLUDE_BK, "release:bk", M, M},
        {S_MIGRATING, E_BK2_ADD, "enslave:bk2", M, M},
        {S_MIGRATING, E_DISSOLVE, "dissolve:bk", P, P},
        {S_MIGRATING, E_FAILED, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_NONE, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_VF_ADD, "", M, M},
        /*   then "all-ports-active:off" -> migrating */
        {S_PREPARING, E_VF_REMOVE, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_VF_CARRIER_LOSS, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_VF_CARRIER_BACK, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_BK_ADD, "", M, M},
        /*   then "all-ports-active:off" -> healthy */
        {S_PREPARING, E_BK_REMOVE, "", M, H},
        /*   then "all-ports-active:off own-mac:bk" -> healthy */
        {S_PREPARING, E_BK_CARRIER_LOSS, "", M, H},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_VF_ADD_WITH_IP, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_MIGRATE_END, "", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_PREPARE, "", M, M},
        {S_PREPARING, E_NOTIFIED, "release:vf all-ports-active:off", M, M},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_SETTLED, "", M, M},
        /*   then "set-active:vf release:bk (settle)" -> healthy */
        /*   then "all-ports-active:off" -> healthy */
        {S_PREPARING, E_EXCLUDE_BK, "", M, H},
        /*   then "release:vf enslave:bk2 all-ports-active:off" -> migrating */
        {S_PREPARING, E_BK2_ADD, "", M, M},
        {S_PREPARING, E_DISSOLVE, "dissolve:bk", P, P},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_PREPARING, E_FAILED, "", M, M},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_NONE, "", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_VF_ADD, "", H, H},
        /*   then "all-ports-active:off" -> degraded */
        {S_SETTLING, E_VF_REMOVE, "", D, D},
        /*   then "all-ports-active:off" -> degraded */
        {S_SETTLING, E_VF_CARRIER_LOSS, "set-active:bk", D, D},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_VF_CARRIER_BACK, "", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_BK_ADD, "", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_BK_REMOVE, "", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_BK_CARRIER_LOSS, "", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_VF_ADD_WITH_IP, "", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_MIGRATE_END, "", H, H},
        /*   then "release:vf all-ports-active:off" -> migrating */
        {S_SETTLING, E_PREPARE, "take-bond-mac:bk set-active:bk (wait)", M, M},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_NOTIFIED, "", H, H},
        {S_SETTLING, E_SETTLED, "all-ports-active:off", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_EXCLUDE_BK, "release:bk", H, H},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_BK2_ADD, "enslave:bk2", H, H},
        {S_SETTLING, E_DISSOLVE, "dissolve:bk", P, P},
        /*   then "all-ports-active:off" -> healthy */
        {S_SETTLING, E_FAILED, "", H, H},
};
