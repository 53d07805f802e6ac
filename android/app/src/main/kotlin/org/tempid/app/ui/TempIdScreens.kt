package org.tempid.app.ui

import android.Manifest
import android.content.Intent
import android.net.Uri
import android.provider.Settings
import androidx.activity.compose.BackHandler
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import org.tempid.app.PassViewModel
import org.tempid.app.R
import org.tempid.core.model.CertificateState
import org.tempid.core.model.FaceCheckKind
import org.tempid.ui.Formatting
import org.tempid.ui.NextStep
import org.tempid.ui.Notice
import org.tempid.ui.Problem
import org.tempid.ui.Screen
import org.tempid.ui.UiModel
import org.tempid.ui.Work

/** Draws [ui]; every tap goes to [model]. */
@Composable
fun TempIdScreens(ui: UiModel, model: PassViewModel) {
    Column(Modifier.fillMaxSize().padding(20.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        ui.problem?.let { ProblemBanner(it, model) }
        ui.notice?.let { NoticeBanner(it) }
        when (val s = ui.screen) {
            Screen.Starting -> Busy(stringResource(R.string.starting))
            Screen.SignIn -> SignIn(ui.busy, model)
            is Screen.Home -> Home(s, ui.busy, model)
            Screen.Consent -> Consent(model)
            is Screen.Form -> ApplicationFormScreen(s, ui.busy, model)
            Screen.Locating -> Busy(stringResource(R.string.locating))
            Screen.LocationDenied -> LocationDenied(model)
            is Screen.LocationUnavailable -> LocationUnavailable(model)
            is Screen.Working -> Busy(stringResource(if (s.what == Work.APPLYING) R.string.applying else R.string.reverifying))
            is Screen.FaceCheck -> Busy(stringResource(faceCheckLabel(s.kind)))
            is Screen.Pass -> PassScreen(s, ui.busy, model)
            is Screen.Reverify -> Reverify(s, model)
            is Screen.Expired -> ExpiredScreen(s, model)
            is Screen.Revoked -> RevokedScreen(s, model)
            is Screen.QuotaExhausted -> QuotaExhaustedScreen(s, model)
            is Screen.Offline -> OfflineScreen(s, model)
            is Screen.UpdateRequired -> UpdateRequiredScreen(s)
            is Screen.History -> HistoryScreen(s, model)
        }
    }
}

@Composable
private fun Title(text: String) =
    Text(text, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })

@Composable
private fun Busy(label: String) {
    Column(Modifier.fillMaxWidth(), horizontalAlignment = Alignment.CenterHorizontally) {
        CircularProgressIndicator()
        Spacer(Modifier.height(12.dp))
        Text(label, modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite })
    }
}

private fun faceCheckLabel(kind: FaceCheckKind) = when (kind) {
    FaceCheckKind.APPLY -> R.string.face_check_apply
    FaceCheckKind.REVERIFY -> R.string.face_check_reverify
    FaceCheckKind.LOOKUP -> R.string.face_check_lookup
}

@Composable
private fun ProblemBanner(problem: Problem, model: PassViewModel) {
    val context = LocalContext.current
    Card(Modifier.fillMaxWidth().semantics { liveRegion = LiveRegionMode.Assertive }) {
        Column(Modifier.padding(12.dp)) {
            Text(problem.message, style = MaterialTheme.typography.titleSmall)
            Text(problem.hint)
            Row {
                when (problem.next) {
                    NextStep.OPEN_LOCATION_SETTINGS -> TextButton({ openAppSettings(context) }) { Text(stringResource(R.string.open_settings)) }
                    NextStep.RELOCATE -> TextButton(model::relocate) { Text(stringResource(R.string.relocate)) }
                    NextStep.FACE_CHECK -> TextButton(model::reverify) { Text(stringResource(R.string.face_check_again)) }
                    NextStep.UPDATE_APP -> TextButton({ openStore(context) }) { Text(stringResource(R.string.update_app)) }
                    else -> {}
                }
                TextButton(model::dismissProblem) { Text(stringResource(R.string.dismiss)) }
            }
        }
    }
}

@Composable
private fun NoticeBanner(notice: Notice) = Text(
    stringResource(if (notice == Notice.REFRESHED_ONLINE) R.string.refreshed_online else R.string.refreshed_offline),
    modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
)

@Composable
private fun SignIn(busy: Boolean, model: PassViewModel) {
    var username by rememberSaveable { mutableStateOf("") }
    var password by remember { mutableStateOf("") }
    Title(stringResource(R.string.app_name))
    Text(stringResource(R.string.sign_in_intro))
    OutlinedTextField(username, { username = it }, label = { Text(stringResource(R.string.username)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
    OutlinedTextField(
        password, { password = it }, label = { Text(stringResource(R.string.password)) }, singleLine = true,
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password), modifier = Modifier.fillMaxWidth(),
    )
    Button({ model.login(username, password) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.log_in)) }
    OutlinedButton({ model.register(username, password) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.register)) }
    TextButton(model::continueAsGuest, enabled = !busy, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.continue_as_guest)) }
    Text(stringResource(R.string.guest_explained), style = MaterialTheme.typography.bodySmall)
}

@Composable
private fun Home(s: Screen.Home, busy: Boolean, model: PassViewModel) {
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Title(stringResource(R.string.app_name))
        if (s.guest) Text(stringResource(R.string.guest_badge))
        if (s.offline) Text(stringResource(R.string.offline_banner))
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(s.city?.let { stringResource(R.string.city_is, it) } ?: stringResource(R.string.city_unknown), Modifier.weight(1f))
            LocationPermissionButton(model, stringResource(R.string.relocate))
        }
        val remaining = s.quotaRemaining
        val limit = s.quotaLimit
        if (remaining != null && limit != null) {
            Text(stringResource(R.string.quota_line, remaining.toInt(), limit.toInt(), s.quotaResetsOn ?: ""))
        }
        s.pass?.let { pass ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(12.dp)) {
                    Text(stringResource(R.string.pass_holder, pass.holderNameMasked))
                    Text(stringResource(R.string.valid_until, pass.expiresAt))
                    if (!pass.canReapply) Text(stringResource(R.string.reapply_from, pass.reapplyFrom), style = MaterialTheme.typography.bodySmall)
                    Button(model::openPass, enabled = !busy) {
                        Text(stringResource(if (pass.needsFaceCheck) R.string.open_pass_with_face_check else R.string.open_pass))
                    }
                }
            }
        }
        if (s.applyEnabled) {
            Button(model::startApplication, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(if (s.pass == null) R.string.apply else R.string.reapply))
            }
        }
        OutlinedButton(model::history, enabled = !busy, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.history)) }
        AccountActions(busy, model)
    }
}

@Composable
private fun AccountActions(busy: Boolean, model: PassViewModel) {
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        TextButton(model::logout, enabled = !busy) { Text(stringResource(R.string.log_out)) }
        TextButton(model::clearCache, enabled = !busy) { Text(stringResource(R.string.clear_cache)) }
    }
}

/**
 * "Re-locate": asks for coarse location first when needed (with the system dialog), then lets
 * the core locate. A refusal still goes to the core, which shows its permission-denied screen.
 */
@Composable
private fun LocationPermissionButton(model: PassViewModel, label: String) {
    val launcher = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { model.relocate() }
    TextButton({ launcher.launch(Manifest.permission.ACCESS_COARSE_LOCATION) }) { Text(label) }
}

@Composable
private fun Consent(model: PassViewModel) {
    var terms by rememberSaveable { mutableStateOf(false) }
    var holder by rememberSaveable { mutableStateOf(false) }
    BackHandler(onBack = model::backHome)
    Title(stringResource(R.string.consent_title))
    Text(stringResource(R.string.consent_text))
    Row(verticalAlignment = Alignment.CenterVertically) {
        Checkbox(terms, { terms = it })
        Text(stringResource(R.string.consent_terms))
    }
    Row(verticalAlignment = Alignment.CenterVertically) {
        Checkbox(holder, { holder = it })
        Text(stringResource(R.string.consent_holder))
    }
    Button(model::giveConsent, enabled = terms && holder, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.continue_)) }
}

@Composable
private fun ApplicationFormScreen(s: Screen.Form, busy: Boolean, model: PassViewModel) {
    var idNumber by rememberSaveable { mutableStateOf("") }
    var name by rememberSaveable { mutableStateOf("") }
    BackHandler(onBack = model::backHome)
    Title(stringResource(R.string.form_title))
    OutlinedTextField(
        idNumber, { idNumber = it.uppercase(); model.editedForm() },
        label = { Text(stringResource(R.string.id_number)) }, singleLine = true,
        isError = s.idNumberError != null,
        supportingText = { s.idNumberError?.let { Text("${it.message} ${it.hint}") } },
        keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters, keyboardType = KeyboardType.Ascii),
        modifier = Modifier.fillMaxWidth(),
    )
    OutlinedTextField(
        name, { name = it; model.editedForm() },
        label = { Text(stringResource(R.string.name)) }, singleLine = true,
        isError = s.nameError != null,
        supportingText = { s.nameError?.let { Text("${it.message} ${it.hint}") } },
        modifier = Modifier.fillMaxWidth(),
    )
    Text(stringResource(R.string.form_face_check_next), style = MaterialTheme.typography.bodySmall)
    Button({ model.apply(idNumber.trim(), name.trim()) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
        Text(stringResource(R.string.start_face_check))
    }
}

@Composable
private fun LocationDenied(model: PassViewModel) {
    val context = LocalContext.current
    Title(stringResource(R.string.location_denied_title))
    Text(stringResource(R.string.location_rationale))
    // The system dialog while Android still shows it (it answers at once after "don't ask
    // again"); the settings page always works.
    LocationPermissionButton(model, stringResource(R.string.allow_location))
    Button({ openAppSettings(context) }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.open_settings)) }
    OutlinedButton(model::relocate, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.relocate)) }
    BackHandler(onBack = model::leaveNotice)
    TextButton(model::leaveNotice) { Text(stringResource(R.string.back)) }
}

@Composable
private fun LocationUnavailable(model: PassViewModel) {
    Title(stringResource(R.string.location_unavailable_title))
    Text(stringResource(R.string.location_unavailable_text))
    Button(model::relocate, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.relocate)) }
    BackHandler(onBack = model::leaveNotice)
    TextButton(model::leaveNotice) { Text(stringResource(R.string.back)) }
}

@Composable
private fun PassScreen(s: Screen.Pass, busy: Boolean, model: PassViewModel) {
    PassWindowEffects()
    BackHandler(onBack = model::closePass)
    val spokenId = Formatting.spokenIdNumber(s.idNumberMasked.replace(" ", ""), stringResource(R.string.hidden_digits))
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp), horizontalAlignment = Alignment.CenterHorizontally) {
        Title(stringResource(R.string.pass_title))
        QrCode(s.qr, stringResource(R.string.qr_description, s.holderNameMasked, s.refreshInSeconds.toInt()))
        Text(s.holderNameMasked, style = MaterialTheme.typography.titleLarge)
        Text(s.idNumberMasked, modifier = Modifier.semantics { contentDescription = spokenId })
        Text(stringResource(R.string.valid_until, s.expiresAt))
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(stringResource(R.string.refresh_in, s.refreshIn))
            Button(model::refresh, enabled = !busy) { Text(stringResource(R.string.refresh)) }
        }
        Text(stringResource(R.string.reverify_in, s.reverifyIn))
        if (s.offline) Text(stringResource(R.string.offline_pass, s.lastSynced ?: "—"))
        if (s.canReapply) OutlinedButton({ model.closePass(); model.startApplication() }) { Text(stringResource(R.string.reapply)) }
        TextButton(model::closePass) { Text(stringResource(R.string.close_pass)) }
    }
}

@Composable
private fun Reverify(s: Screen.Reverify, model: PassViewModel) {
    BackHandler(onBack = model::closePass)
    Title(stringResource(R.string.reverify_title))
    Text(stringResource(if (s.newDevice) R.string.reverify_new_device else R.string.reverify_text))
    Text(stringResource(R.string.reverify_no_quota))
    Text(stringResource(R.string.valid_until, s.expiresAt))
    Button(model::reverify, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.start_face_check)) }
    if (s.canReapply) OutlinedButton({ model.closePass(); model.startApplication() }, Modifier.fillMaxWidth()) { Text(stringResource(R.string.reapply)) }
    TextButton(model::closePass) { Text(stringResource(R.string.close_pass)) }
}

@Composable
private fun ExpiredScreen(s: Screen.Expired, model: PassViewModel) {
    Title(stringResource(R.string.expired_title))
    Text(stringResource(R.string.expired_at, s.expiredAt))
    Text(stringResource(R.string.expired_text))
    if (s.canReapply) Button({ model.closePass(); model.startApplication() }, Modifier.fillMaxWidth()) { Text(stringResource(R.string.reapply)) }
    TextButton(model::closePass) { Text(stringResource(R.string.back)) }
}

@Composable
private fun RevokedScreen(s: Screen.Revoked, model: PassViewModel) {
    Title(stringResource(R.string.revoked_title))
    Text(stringResource(if (s.superseded) R.string.superseded_text else R.string.revoked_text))
    TextButton(model::closePass) { Text(stringResource(R.string.back)) }
}

@Composable
private fun QuotaExhaustedScreen(s: Screen.QuotaExhausted, model: PassViewModel) {
    Title(stringResource(R.string.quota_title))
    Text(s.hint)
    Text(stringResource(R.string.quota_resets_on, s.resetsOn), style = MaterialTheme.typography.titleMedium)
    OutlinedButton(model::history, Modifier.fillMaxWidth()) { Text(stringResource(R.string.history)) }
    BackHandler(onBack = model::leaveNotice)
    TextButton(model::leaveNotice) { Text(stringResource(R.string.back)) }
    AccountActions(false, model)
}

@Composable
private fun OfflineScreen(s: Screen.Offline, model: PassViewModel) {
    Title(stringResource(R.string.offline_title))
    Text(stringResource(R.string.offline_text))
    s.lastSynced?.let { Text(stringResource(R.string.last_synced, it)) }
    Button(model::refresh, Modifier.fillMaxWidth()) { Text(stringResource(R.string.retry)) }
}

@Composable
private fun UpdateRequiredScreen(s: Screen.UpdateRequired) {
    val context = LocalContext.current
    Title(stringResource(R.string.update_title))
    Text(stringResource(R.string.update_text, s.minVersion))
    Button({ openStore(context) }, Modifier.fillMaxWidth()) { Text(stringResource(R.string.update_app)) }
}

@Composable
private fun HistoryScreen(s: Screen.History, model: PassViewModel) {
    BackHandler(onBack = model::backHome)
    Title(stringResource(R.string.history))
    val entries = s.entries
    when {
        entries == null -> Busy(stringResource(R.string.loading))
        entries.isEmpty() -> Text(stringResource(R.string.history_empty))
        else -> LazyColumn(Modifier.fillMaxWidth().height(480.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(entries, key = { it.certificateId }) { row ->
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(12.dp)) {
                        Text("${row.issuedAt} · ${row.city}")
                        Text(stringResource(R.string.valid_until, row.expiresAt))
                        Text(row.idNumberMasked)
                        Text(stringResource(stateLabel(row.state)))
                    }
                }
            }
        }
    }
    TextButton(model::backHome) { Text(stringResource(R.string.back)) }
}

private fun stateLabel(state: CertificateState) = when (state) {
    CertificateState.VALID -> R.string.state_valid
    CertificateState.EXPIRED -> R.string.state_expired
    CertificateState.REVOKED -> R.string.state_revoked
    CertificateState.SUPERSEDED -> R.string.state_superseded
}

private fun openAppSettings(context: android.content.Context) {
    context.startActivity(Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", context.packageName, null)))
}

private fun openStore(context: android.content.Context) {
    context.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse("market://details?id=${context.packageName}")))
}
